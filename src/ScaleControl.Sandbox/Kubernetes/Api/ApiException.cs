using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Api;

/// <summary>A failed API call, carried to the HTTP layer as a Kubernetes <c>Status</c> body.</summary>
internal sealed class ApiException(JsonObject status, TimeSpan? retryAfter = null)
    : Exception((string?)status["message"])
{
    public int Code => (int)status["code"]!;

    public JsonObject Status => status;

    public TimeSpan? RetryAfter => retryAfter;
}
