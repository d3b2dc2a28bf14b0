using System.Globalization;

namespace ScaleControl.Testing.Stores;

/// <summary>A store-wide, strictly increasing resourceVersion, as etcd's revision.</summary>
internal sealed class ResourceVersions
{
    private long _last;

    public string Next() => Interlocked.Increment(ref _last).ToString(CultureInfo.InvariantCulture);
}
