using System.Text.RegularExpressions;
using Sentinel.Config;
using Sentinel.Storage;
using Sentinel.Text;

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

    /// <summary>
    /// A PEP 440 <em>public</em> version that is also clean under the scrubber. A local label (<c>+…</c>) is never
    /// accepted: it can carry anything (a token, a host name) and would become a partition folder name.
    /// </summary>
    public static bool IsVersion(string s) => s.Length <= 64 && !s.Contains('+', StringComparison.Ordinal) && VersionPattern().IsMatch(s) && Scrubber.Check(s) is null;

    /// <summary>The public part of a reported version (<c>1.0+npm_…</c> → <c>1.0</c>); the local label is dropped, never stored.</summary>
    public static string PublicPart(string s) => s.IndexOf('+', StringComparison.Ordinal) is var plus and >= 0 ? s[..plus] : s;

    /// <summary>
    /// Attributes every event of a bundle to a library and resolves versions per (run, library),
    /// from the kinds and the identity tally gathered while the bundle was read. The same result as
    /// walking all events in order: a version comes from the first event of the (run, library) that
    /// names the library with a valid version.
    /// </summary>
    public static void Attribute(BundleReading bundle, VersionHints hints, LibraryRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(hints);
        Func<string, bool>? registered = registry is { Any: true } ? ns => registry.LibraryOf(ns) is not null : null;
        var libraries = Libraries(bundle, registered);
        var host = HostLibrary(bundle, libraries, registered);
        if (bundle.Identity.LocalLabelsDropped > 0)
        {
            bundle.Ledger.Add("dropped.version_local_label", bundle.Identity.LocalLabelsDropped);
        }

        foreach (var kind in bundle.Events.Kinds)
        {
            if (kind.SourceNamespace is { } ns && !libraries.Contains(ns))
            {
                // A user's module (captured logging), a span name such as io.load: not a library, and its
                // name is not kept. Its events go to the host like py.warnings do.
                kind.SourceNamespace = null;
                bundle.Ledger.Add("attributed.not_a_library", kind.Count);
            }

            kind.Library = kind.SourceNamespace ?? host ?? LakeSchema.Unknown;
        }

        // Resolution order (docs/library-authors.md): operator's --version or the upload's manifest > the
        // library's own evidence in the run > --default-version > unknown ("version not reported").
        var resolved = new Dictionary<(string? Run, string Library), (int Ordinal, string Version)>();
        foreach (var ((run, ns, name), (ordinal, version)) in bundle.Identity.Versions)
        {
            var library = ns is not null && libraries.Contains(ns) ? ns : host ?? LakeSchema.Unknown;
            if (name != library)
            {
                continue;
            }

            var key = (run ?? bundle.RunId, library);
            if (!resolved.TryGetValue(key, out var first) || ordinal < first.Ordinal)
            {
                resolved[key] = (ordinal, version);
            }
        }

        foreach (var kind in bundle.Events.Kinds)
        {
            kind.Version = hints.Forced.TryGetValue(kind.Library, out var forced) ? forced
                : resolved.TryGetValue((kind.RunId ?? bundle.RunId, kind.Library), out var v) ? v.Version
                : hints.Fallback.GetValueOrDefault(kind.Library, LakeSchema.Unknown);
        }

        foreach (var ((run, library), (_, version)) in resolved)
        {
            if (run == bundle.RunId)
            {
                bundle.ResolvedVersions[library] = version;
            }
        }

        bundle.LibraryNamespaces = libraries;
    }

    /// <summary>
    /// The namespaces of the bundle that are libraries (DESIGN §2, issue 16): with a registry, the registered ones;
    /// without, those the bundle gives evidence for: a coded event from the namespace, an event whose identity keys
    /// name it, or a key of the bundle's <c>signals</c> catalog (every library that configured smonitor in the run
    /// declares its signals there). A namespace seen only in event sources without a code (a user's module captured
    /// through logging) or in timing keys (a span named <c>io.load</c>) is not a library.
    /// </summary>
    public static HashSet<string> Libraries(BundleReading bundle, Func<string, bool>? registered)
    {
        ArgumentNullException.ThrowIfNull(bundle);

        // One pass over each source of evidence (a bundle may hold a million kinds and many namespaces).
        var evidenced = new HashSet<string>(bundle.DeclaredNamespaces, StringComparer.Ordinal);
        foreach (var kind in bundle.Events.Kinds)
        {
            if (kind.SourceNamespace is { } ns && kind.Code is not null)
            {
                evidenced.Add(ns);
            }
        }

        foreach (var key in bundle.Identity.Versions.Keys)
        {
            if (key.Namespace is { } ns && key.Name == ns)
            {
                evidenced.Add(ns);
            }
        }

        foreach (var name in bundle.Identity.Names.Keys)
        {
            evidenced.Add(NormalizeName(name));
        }

        var seen = bundle.Events.Kinds.Select(k => k.SourceNamespace)
            .Concat(bundle.Timings.Select(t => Namespace(t.Function)))
            .Concat(bundle.DeclaredNamespaces)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        seen.RemoveWhere(ns => !evidenced.Contains(ns) && (registered is null || !registered(ns)));
        return seen;
    }

    /// <summary>Version of <paramref name="library"/> in the bundle's own run, as <see cref="Attribute"/> resolved it.</summary>
    public static string VersionFor(BundleReading bundle, string library, VersionHints hints) =>
        hints.Forced.TryGetValue(library, out var forced) ? forced
        : bundle.ResolvedVersions.TryGetValue(library, out var version) ? version
        : hints.Fallback.GetValueOrDefault(library, LakeSchema.Unknown);

    /// <summary>
    /// The run's host library, which takes the events of non-library sources (<c>py.warnings</c>, a user's module):
    /// among the bundle's libraries (the registered ones when there is a registry), the one with the most events,
    /// then the most timing keys; else the one its identity keys name most.
    /// </summary>
    public static string? HostLibrary(BundleReading bundle, IReadOnlySet<string> libraries, Func<string, bool>? registered)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(libraries);
        var candidates = libraries.Where(l => registered is null || registered(l)).ToList();
        var events = bundle.Events.Kinds.Where(k => k.SourceNamespace is not null)
            .GroupBy(k => k.SourceNamespace!).ToDictionary(g => g.Key, g => g.Sum(k => k.Count), StringComparer.Ordinal);
        var timings = bundle.Timings.Select(t => Namespace(t.Function)).OfType<string>()
            .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var best = candidates
            .Select(l => (Name: l, Events: events.GetValueOrDefault(l), Timings: timings.GetValueOrDefault(l)))
            .Where(c => c.Events > 0 || c.Timings > 0)
            .OrderByDescending(c => c.Events).ThenByDescending(c => c.Timings).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (best.Name is not null)
        {
            return best.Name;
        }

        var byIdentity = bundle.Identity.Names
            .Select(n => (Name: NormalizeName(n.Key), Count: n.Value))
            .Where(n => IsLibraryName(n.Name) && !NotLibraries.Contains(n.Name) && (registered is null || registered(n.Name)))
            .GroupBy(n => n.Name)
            .Select(g => (Name: g.Key, Count: g.Sum(n => n.Count)))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return byIdentity.Name;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex LibraryName();

    // PEP 440-ish: release, optional pre/post/dev segments and local label.
    [GeneratedRegex(@"^v?[0-9]+(\.[0-9]+)*([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?([-_.]?(post|rev|r)[-_.]?[0-9]*)?([-_.]?dev[-_.]?[0-9]*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionPattern();
}

/// <summary>
/// Versions from outside the bundle's own evidence: <see cref="Forced"/> wins over it (the operator's
/// <c>--version</c>, then the upload's manifest), <see cref="Fallback"/> only fills what it leaves
/// unknown (<c>--default-version</c>).
/// </summary>
public sealed record VersionHints(IReadOnlyDictionary<string, string> Forced, IReadOnlyDictionary<string, string> Fallback)
{
    public static VersionHints None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    /// <summary>These hints with an upload's manifest under the operator's overrides (an override wins over a manifest).</summary>
    public VersionHints WithManifest(IReadOnlyDictionary<string, string> manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Count == 0)
        {
            return this;
        }

        var forced = new Dictionary<string, string>(manifest, StringComparer.Ordinal);
        foreach (var (library, version) in Forced)
        {
            forced[library] = version;
        }

        return this with { Forced = forced };
    }
}

/// <summary>
/// What attribution needs from the events' identity keys (extra.library / extra.version and the
/// like), gathered event by event while a bundle is read, so the events need not be kept as objects.
/// </summary>
internal sealed class AttributionTally
{
    private const int CacheLimit = 4096;

    private readonly Dictionary<string, long> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<(string? Run, string? Namespace, string Name), (int Ordinal, string Version)> _versions = [];
    private readonly Dictionary<string, string> _normalized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _isVersion = new(StringComparer.Ordinal);

    /// <summary>Raw identity names and how many times events carry them (the host library's second source).</summary>
    public IReadOnlyDictionary<string, long> Names => _names;

    /// <summary>
    /// For (the event's own run_id, its source namespace or null when the host gets it, a normalised
    /// name): the first event (ordinal in the bundle) whose identity keys pair that name with a valid
    /// version, and the version. A namespaced event only counts for its own namespace.
    /// </summary>
    public IReadOnlyDictionary<(string? Run, string? Namespace, string Name), (int Ordinal, string Version)> Versions => _versions;

    /// <summary>Reported versions whose local label (<c>+…</c>) was dropped.</summary>
    public long LocalLabelsDropped { get; private set; }

    public void Clear()
    {
        LocalLabelsDropped = 0;
        _names.Clear();
        _versions.Clear();
        _normalized.Clear();
        _isVersion.Clear();
    }

    public void Add(int ordinal, EventKind kind, string?[]? names, string?[]? versions)
    {
        if (names is null)
        {
            return;
        }

        foreach (var name in names)
        {
            if (name is not null)
            {
                _names[name] = _names.GetValueOrDefault(name) + 1;
            }
        }

        if (versions is null)
        {
            return;
        }

        var pairs = Math.Min(names.Length, versions.Length);
        for (var i = 0; i < pairs; i++)
        {
            var name = names[i];
            var version = versions[i];
            if (name is null || version is null)
            {
                continue;
            }

            // On missing-dependency codes extra.library names the *missing* package while
            // extra.version is the reporter's: only a matching name vouches for the version.
            var normalized = Normalized(name);
            var reported = Attribution.PublicPart(version); // a local label is dropped (counted in Attribute)
            if ((kind.SourceNamespace is null || normalized == kind.SourceNamespace) && IsVersion(reported))
            {
                LocalLabelsDropped += reported.Length == version.Length ? 0 : 1;
                _versions.TryAdd((kind.RunId, kind.SourceNamespace, normalized), (ordinal, reported));
            }
        }
    }

    // The same few names and versions repeat on every event: checked once each.
    private string Normalized(string name)
    {
        if (!_normalized.TryGetValue(name, out var normalized))
        {
            normalized = Attribution.NormalizeName(name);
            if (_normalized.Count < CacheLimit)
            {
                _normalized[name] = normalized;
            }
        }

        return normalized;
    }

    private bool IsVersion(string version)
    {
        if (!_isVersion.TryGetValue(version, out var ok))
        {
            ok = Attribution.IsVersion(version);
            if (_isVersion.Count < CacheLimit)
            {
                _isVersion[version] = ok;
            }
        }

        return ok;
    }
}
