namespace ScaleControl.Kubernetes.Client;

/// <summary>Order in which queued requests get tokens when the client-side limit is reached (lower first).</summary>
public enum RequestPriority
{
    /// <summary>Scale and HPA writes, the policy re-read and used-approval reads each one waits on, and lease renewals (a lost lease stops every apply).</summary>
    ScaleWrite = 0,

    /// <summary>Custom resource writes: proposal and policy status, creates, deletes.</summary>
    StatusWrite = 1,

    /// <summary>Gets, lists and watches.</summary>
    Read = 2,

    /// <summary>Kubernetes Events: best-effort, never ahead of real work.</summary>
    Event = 3,

    /// <summary>Deletes of finished proposals by the retention pass: a backlog may wait, real work may not.</summary>
    Housekeeping = 4,
}

/// <summary>Classifies an API request by verb and path; the generated client gives no other hook.</summary>
public static class RequestClassifier
{
    /// <summary>The field manager of the Event that claims a DingTalk callback signature: a tap waits on it, so it is no best-effort Event.</summary>
    public const string CallbackClaimFieldManager = "scalecontrol-callback-claim";

    /// <summary>The field manager of the Event that records a used approval (<c>EventUsedApprovalLedger</c>).</summary>
    public const string UsedApprovalFieldManager = "scalecontrol-used-approval";

    /// <summary>The name prefix of those Events: a scale write waits on reading one.</summary>
    public const string UsedApprovalEventPrefix = "scalecontrol-approval-";

    public static RequestPriority Classify(HttpMethod method, string path, string query = "")
    {
        if (path.Contains("/events", StringComparison.Ordinal))
        {
            if (query.Contains("fieldManager=" + CallbackClaimFieldManager, StringComparison.Ordinal)
                || query.Contains("fieldManager=" + UsedApprovalFieldManager, StringComparison.Ordinal))
            {
                return RequestPriority.StatusWrite;
            }

            if (method == HttpMethod.Get && path.Contains("/events/" + UsedApprovalEventPrefix, StringComparison.Ordinal))
            {
                return RequestPriority.ScaleWrite;
            }

            return RequestPriority.Event;
        }

        if (method == HttpMethod.Get)
        {
            // One policy read from the server: the re-check a scale write waits on (GetCurrentAsync), not a list or watch.
            return path.Contains("/scalepolicies/", StringComparison.Ordinal) && !query.Contains("watch=", StringComparison.Ordinal)
                ? RequestPriority.ScaleWrite
                : RequestPriority.Read;
        }

        if (method == HttpMethod.Delete && path.Contains("/scaleproposals/", StringComparison.Ordinal))
        {
            return RequestPriority.Housekeeping;
        }

        if (path.EndsWith("/scale", StringComparison.Ordinal)
            || path.Contains("/horizontalpodautoscalers", StringComparison.Ordinal)
            || path.Contains("/leases", StringComparison.Ordinal))
        {
            return RequestPriority.ScaleWrite;
        }

        return RequestPriority.StatusWrite;
    }
}
