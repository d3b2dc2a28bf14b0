namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>Settings that make the sandbox settle in seconds: short rate window, no prediction drift.</summary>
public static class Fast
{
    public static Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["ScaleControl__Sandbox__RateWindow"] = "5s",
            ["ScaleControl__Sandbox__Prediction"] = "false",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
