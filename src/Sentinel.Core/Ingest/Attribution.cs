using System.Text.RegularExpressions;
using Sentinel.Lake;

namespace Sentinel.Ingest;

/// <summary>
/// Per-event library attribution and per-run version resolution (DESIGN §2).
/// </summary>
internal static partial class Attribution
{
    // First components of `source` that are not a library's namespace.
    private static readonly HashSet<string> NotLibraries = new(StringComparer.Ordinal)
    {
        "py", "__main__", "main", "builtins", "warnings", "logging", "root", "smonitor", "asyncio",
        "concurrent", "threading", "multiprocessing", "ipykernel", "site", "importlib",
    };

    /// <summary>The library namespace of a source (<c>molsysmt.basic.convert</c> → <c>molsysmt</c>), or null.</summary>
    public static string? Namespace(string? source)
    {
        if (source is null)
        {
            return null;
        }

        var dot = source.IndexOf('.', StringComparison.Ordinal);
        var first = dot < 0 ? source : source[..dot];
        return IsLibraryName(first) && !NotLibraries.Contains(first) ? first : null;
    }

    public static bool IsLibraryName(string s) => LibraryName().IsMatch(s);

    /// <summary>A name-key value normalised for comparison with a namespace (<c>TopoMT</c> → <c>topomt</c>).</summary>
    public static string NormalizeName(string s) => s.Trim().ToLowerInvariant().Replace('-', '_');

    /// <summary>A PEP 440-like version that is also clean under the scrubber: a local label (<c>+…</c>) can carry anything.</summary>
    public static bool IsVersion(string s) => s.Length <= 64 && VersionPattern().IsMatch(s) && Scrubber.Check(s) is null;

    /// <summary>
    /// Attributes every event of a bundle to a library and resolves versions per (run, library).
    /// </summary>
    public static void Attribute(BundleReading bundle, IReadOnlyDictionary<string, string> versionOverrides)
    {
        var host = HostLibrary(bundle);
        foreach (var ev in bundle.Events)
        {
            ev.Library = ev.SourceNamespace ?? host ?? LakeSchema.Unknown;
            if (ev.SourceNamespace is null)
            {
                ev.Source = null; // outside the attributed library's namespace: not kept
            }
        }

        // Resolution order: explicit override > the library's own events in the run > unknown.
        var resolved = new Dictionary<(string? Run, string Library), string>();
        foreach (var ev in bundle.Events)
        {
            if (ev.IdentityNames is null || ev.IdentityVersions is null)
            {
                continue;
            }

            var key = (ev.RunId ?? bundle.RunId, ev.Library);
            if (resolved.ContainsKey(key))
            {
                continue;
            }

            var pairs = Math.Min(ev.IdentityNames.Length, ev.IdentityVersions.Length);
            for (var i = 0; i < pairs; i++)
            {
                var name = ev.IdentityNames[i];
                var version = ev.IdentityVersions[i];
                // On missing-dependency codes extra.library names the *missing* package while
                // extra.version is the reporter's: only a matching name vouches for the version.
                if (name is not null && version is not null && NormalizeName(name) == ev.Library && IsVersion(version))
                {
                    resolved[key] = version;
                    break;
                }
            }
        }

        foreach (var ev in bundle.Events)
        {
            ev.Version = versionOverrides.TryGetValue(ev.Library, out var forced) ? forced
                : resolved.TryGetValue((ev.RunId ?? bundle.RunId, ev.Library), out var v) ? v
                : LakeSchema.Unknown;
        }

        foreach (var ((run, library), version) in resolved)
        {
            if (run == bundle.RunId)
            {
                bundle.ResolvedVersions[library] = version;
            }
        }
    }

    /// <summary>Version of <paramref name="library"/> in the bundle's own run, as <see cref="Attribute"/> resolved it.</summary>
    public static string VersionFor(BundleReading bundle, string library, IReadOnlyDictionary<string, string> overrides) =>
        overrides.TryGetValue(library, out var forced) ? forced
        : bundle.ResolvedVersions.TryGetValue(library, out var version) ? version
        : LakeSchema.Unknown;

    /// <summary>The library whose namespace dominates the bundle's events, else the one its identity keys name.</summary>
    public static string? HostLibrary(BundleReading bundle)
    {
        var bySource = bundle.Events.Where(e => e.SourceNamespace is not null)
            .GroupBy(e => e.SourceNamespace!)
            .Select(g => (Name: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (bySource.Name is not null)
        {
            return bySource.Name;
        }

        var byIdentity = bundle.Events.Where(e => e.IdentityNames is not null)
            .SelectMany(e => e.IdentityNames!.Where(n => n is not null).Select(n => NormalizeName(n!)))
            .Where(IsLibraryName)
            .GroupBy(n => n)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        if (byIdentity is not null)
        {
            return byIdentity.Key;
        }

        var byTiming = bundle.Timings.Select(t => Namespace(t.Function)).Where(n => n is not null)
            .GroupBy(n => n!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        return byTiming?.Key;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex LibraryName();

    // PEP 440-ish: release, optional pre/post/dev segments and local label.
    [GeneratedRegex(@"^v?[0-9]+(\.[0-9]+)*([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?([-_.]?(post|rev|r)[-_.]?[0-9]*)?([-_.]?dev[-_.]?[0-9]*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionPattern();
}
