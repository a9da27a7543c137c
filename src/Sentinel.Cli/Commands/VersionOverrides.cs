using System.CommandLine;
using Sentinel.Ingest;

namespace Sentinel.Cli.Commands;

/// <summary>The repeatable <c>--version LIB=VER</c> option shared by ingest and inspect.</summary>
internal static class VersionOverrides
{
    public static Option<string[]> Create() => new("--version")
    {
        Description = "Force a library's version when bundles do not carry it, e.g. --version cryoflux=2.4.0 (repeatable).",
        HelpName = "LIB=VER",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static IReadOnlyDictionary<string, string> Parse(string[]? values)
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
                    $"--version {(Names.IsLibrary(lib) ? $"'{lib}=…'" : "value")}: expected LIB=VER with a lowercase library name and a PEP 440 public version (no local label: +… is never stored)");
            }

            map[lib] = ver;
        }

        return map;
    }
}
