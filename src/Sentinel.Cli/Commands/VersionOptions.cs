using System.CommandLine;
using Sentinel.Ingest;

namespace Sentinel.Cli.Commands;

/// <summary>
/// The repeatable <c>--version LIB=VER</c> (override) and <c>--default-version LIB=VER</c> (fallback) options shared by
/// ingest, inspect and run. How they rank against an upload's manifest and the bundle's own evidence: docs/library-authors.md.
/// </summary>
internal sealed class VersionOptions
{
    private VersionOptions()
    {
    }

    public Option<string[]> Override { get; } = new("--version")
    {
        Description = "Force a library's version for every run of this batch, over what the bundles and upload manifests say, " +
                      "e.g. --version cryoflux=2.4.0 (repeatable). Use it only when the whole batch is one version; " +
                      "for a mixed inbox use --default-version.",
        HelpName = "LIB=VER",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string[]> Default { get; } = new("--default-version")
    {
        Description = "A library's version for runs that report none (no manifest, no version in the bundle), e.g. " +
                      "--default-version cryoflux=2.4.0 (repeatable). A version a run does report always wins.",
        HelpName = "LIB=VER",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static VersionOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(Override);
        command.Options.Add(Default);
    }

    public VersionHints Hints(ParseResult parse) =>
        new(Parse("--version", parse.GetValue(Override)), Parse("--default-version", parse.GetValue(Default)));

    public static IReadOnlyDictionary<string, string> Parse(string option, string[]? values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values ?? [])
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            var lib = eq > 0 ? v[..eq].Trim().ToLowerInvariant() : "";
            var ver = eq > 0 ? v[(eq + 1)..].Trim() : "";
            if (lib.Length == 0 || !Names.IsLibrary(lib) || !Names.IsVersion(ver))
            {
                // The value is not echoed: a rejected version (a local label, a pasted token) may be anything.
                throw new UsageException(
                    $"{option} {(Names.IsLibrary(lib) ? $"'{lib}=…'" : "value")}: expected LIB=VER with a lowercase library name and a PEP 440 public version (no local label: +… is never stored)");
            }

            map[lib] = ver;
        }

        return map;
    }
}
