using System.Text.RegularExpressions;

namespace Sentinel.Config;

/// <summary>
/// The libraries this instance serves (<c>libraries:</c> in sentinel.yml), by the import namespaces their events
/// come from. Empty: nothing is registered (local exploration keeps everything; the public site refuses to build).
/// </summary>
public sealed partial class LibraryRegistry
{
    private readonly Dictionary<string, string> _byNamespace = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public LibraryRegistry(SentinelConfig config)
    {
        foreach (var (name, library) in config.Libraries)
        {
            _names.Add(name);
            foreach (var ns in library.Namespaces.Count > 0 ? library.Namespaces : [DefaultNamespace(name)])
            {
                _byNamespace.TryAdd(ns, name);
            }
        }
    }

    /// <summary>True when at least one library is registered.</summary>
    public bool Any => _names.Count > 0;

    /// <summary>The registered library whose namespace (or name) <paramref name="library"/> is, or null.</summary>
    public string? LibraryOf(string? library) =>
        library is null ? null
        : _names.Contains(library) ? library
        : _byNamespace.GetValueOrDefault(library);

    /// <summary>Whether <paramref name="library"/> (a name in the lake) is registered; with nothing registered, every library is.</summary>
    public bool Serves(string library) => !Any || _names.Contains(library);

    /// <summary>The lowercase distribution-name grammar (PEP 503 normalised names, plus '.' and '_').</summary>
    public static bool IsDistributionName(string name) => name.Length <= 64 && DistributionName().IsMatch(name);

    /// <summary>A top-level import name as the lake stores library namespaces.</summary>
    public static bool IsNamespace(string name) => NamespaceName().IsMatch(name);

    private static string DefaultNamespace(string name) => name.Replace('-', '_').Replace('.', '_');

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")]
    private static partial Regex DistributionName();

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex NamespaceName();
}
