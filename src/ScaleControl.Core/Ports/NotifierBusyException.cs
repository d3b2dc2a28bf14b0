namespace ScaleControl.Core.Ports;

/// <summary>
/// The channel is throttled or out of reach for now (DingTalk's QPS limit, a 5xx, no answer): nothing was sent, and
/// the caller tries again on its next pass instead of recording a failure or falling back to another channel.
/// </summary>
public sealed class NotifierBusyException(string message, Exception? inner = null) : Exception(message, inner);
