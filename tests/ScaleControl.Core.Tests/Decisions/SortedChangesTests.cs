using ScaleControl.Core.Decisions;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>The noise memo updates its sorted copy in place (new changes in, aged ones out); its median must be the one sorting afresh gives, every time.</summary>
public class SortedChangesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Median_AsChangesSlide_EqualsTheMedianOfASortedCopy(int seed)
    {
        var random = new Random(seed);
        var memo = new SortedChanges();
        var changes = new List<double>();
        for (var step = 0; step < 3_000; step++)
        {
            // Mostly the loop's step (new changes at the front, old ones gone at the back), sometimes anything else.
            var added = random.Next(10) == 0 ? random.Next(5) : 1;
            for (var i = 0; i < added; i++)
            {
                changes.Insert(0, Change(random));
            }

            var dropped = random.Next(10) == 0 ? random.Next(5) : changes.Count > 40 ? 1 : 0;
            changes.RemoveRange(Math.Max(1, changes.Count - dropped), Math.Min(changes.Count - 1, dropped));
            if (random.Next(50) == 0)
            {
                changes[random.Next(changes.Count)] = Change(random);
            }

            if (changes.Count > TrendObservations.MaxPoints)
            {
                changes.RemoveRange(TrendObservations.MaxPoints, changes.Count - TrendObservations.MaxPoints);
            }

            if (changes.Count == 0)
            {
                changes.Add(Change(random));
            }

            var sorted = changes.Order().ToArray();
            var n = sorted.Length;
            var expected = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(memo.Median(changes.ToArray())));
        }
    }

    /// <summary>Few distinct values, so ties are common, and zeros (a scrape read again).</summary>
    private static double Change(Random random) => random.Next(4) == 0 ? 0 : random.Next(1, 12) * 0.003;
}
