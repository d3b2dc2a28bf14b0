namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>Settings that make the sandbox settle in seconds: short rate window, no prediction drift.</summary>
public static class Fast
{
    /// <summary>The sandbox's rate window here: a demand held this long is what the loop reads.</summary>
    public const int RateWindowSeconds = 5;

    public static Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["ScaleControl__Sandbox__RateWindow"] = $"{RateWindowSeconds}s",
            ["ScaleControl__Sandbox__Prediction"] = "false",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
