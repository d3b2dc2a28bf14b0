namespace ScaleControl.Prometheus.Http;

/// <summary>
/// A secret mounted as a file (Kubernetes Secret, projected service-account token). Re-read when the file
/// changes, because the kubelet rotates such files in place.
/// </summary>
internal sealed class SecretFile(string path)
{
    private readonly Lock _lock = new();
    private DateTime _readAt;
    private string _value = "";

    public string Read()
    {
        var written = File.GetLastWriteTimeUtc(path);
        lock (_lock)
        {
            if (written != _readAt)
            {
                _value = File.ReadAllText(path).Trim();
                _readAt = written;
            }

            return _value;
        }
    }
}
