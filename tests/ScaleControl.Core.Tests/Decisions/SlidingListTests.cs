using ScaleControl.Core.Decisions;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>The history's lists drop from the front without moving what they keep: they must still hold exactly what a plain list holds.</summary>
public class SlidingListTests
{
    [Fact]
    public void AddAndRemove_ManyRounds_HoldWhatAPlainListHolds()
    {
        var random = new Random(7);
        var sliding = new SlidingList<string>();
        var plain = new List<string>();
        for (var round = 0; round < 5_000; round++)
        {
            switch (random.Next(11))
            {
                case 10:
                    var at = random.Next(plain.Count + 1);
                    sliding.Insert(at, "inserted" + round);
                    plain.Insert(at, "inserted" + round);
                    break;
                case < 6:
                    var item = round.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    sliding.Add(item);
                    plain.Add(item);
                    break;
                case < 8 when plain.Count > 0:
                    var front = random.Next(1, Math.Min(plain.Count, 5) + 1);
                    sliding.RemoveFirst(front);
                    plain.RemoveRange(0, front);
                    break;
                case 8 when plain.Count > 0:
                    var back = random.Next(1, plain.Count + 1);
                    sliding.RemoveLast(back);
                    plain.RemoveRange(plain.Count - back, back);
                    break;
                case 9 when plain.Count > 0:
                    sliding.SetLast("last" + round);
                    plain[^1] = "last" + round;
                    break;
            }

            Assert.Equal(plain, sliding);
            Assert.Equal(plain, sliding.AsSpan().ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => sliding[sliding.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sliding.Insert(sliding.Count + 1, "past the end"));
    }
}
