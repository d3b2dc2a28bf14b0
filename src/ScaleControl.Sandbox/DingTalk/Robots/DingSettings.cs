namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>The tenant's edition and SMS/phone DING quota, switchable at run time to exercise the product's fallback.</summary>
public sealed class DingSettings(DingTalkSandboxOptions options)
{
    private readonly Lock _lock = new();

    public string Edition { get; private set; } = options.Edition;
    public int SmsAndCallQuota { get; private set; } = options.SmsAndCallDingQuota;

    public bool DingAvailable => Edition is "Professional" or "Exclusive";

    public void Set(string? edition, int? quota)
    {
        lock (_lock)
        {
            Edition = edition ?? Edition;
            SmsAndCallQuota = quota ?? SmsAndCallQuota;
        }
    }

    /// <summary>Takes quota for SMS/phone DINGs; false when not enough is left.</summary>
    public bool TryConsume(int receivers)
    {
        lock (_lock)
        {
            if (SmsAndCallQuota < receivers)
            {
                return false;
            }

            SmsAndCallQuota -= receivers;
            return true;
        }
    }
}
