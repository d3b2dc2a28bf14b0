using System.Collections.Immutable;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// Every resource type currently served: the built-ins plus those of established CRDs. Readers get an immutable
/// snapshot, so discovery and routing never see a half-registered CRD.
/// </summary>
internal sealed class ResourceCatalog
{
    private readonly Lock _lock = new();
    private ImmutableDictionary<string, IReadOnlyList<ResourceType>> _byCrd = ImmutableDictionary<string, IReadOnlyList<ResourceType>>.Empty;
    private ImmutableList<ResourceType> _all = [.. BuiltInResources.All];

    public IReadOnlyList<ResourceType> All => _all;

    public ResourceType? Find(string group, string version, string plural) =>
        _all.Find(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>The version listed first for a group is its preferred version.</summary>
    public IEnumerable<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        _all.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct().ToList()));

    public void RegisterCrd(string crdName, IReadOnlyList<ResourceType> types)
    {
        lock (_lock)
        {
            _byCrd = _byCrd.SetItem(crdName, types);
            Rebuild();
        }
    }

    public void UnregisterCrd(string crdName)
    {
        lock (_lock)
        {
            _byCrd = _byCrd.Remove(crdName);
            Rebuild();
        }
    }

    private void Rebuild() => _all = [.. BuiltInResources.All, .. _byCrd.Values.SelectMany(t => t)];
}
