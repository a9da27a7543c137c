namespace Sentinel.Ingest;

/// <summary>
/// The closed vocabulary of platforms (Python's <c>platform.system()</c> and <c>platform.machine()</c> values): a
/// value outside it is stored as <c>other</c>, so a machine name, a key or a user name typed into a platform field
/// is never kept (issue 15).
/// </summary>
internal static class PlatformVocabulary
{
    public const string Other = "other";

    private static readonly HashSet<string> Systems = new(StringComparer.Ordinal)
    {
        "Linux", "Darwin", "Windows", "FreeBSD", "OpenBSD", "NetBSD", "SunOS", "AIX", "Emscripten", "iOS", "Android",
    };

    private static readonly HashSet<string> Machines = new(StringComparer.Ordinal)
    {
        "x86_64", "AMD64", "amd64", "arm64", "ARM64", "aarch64", "i386", "i686", "x86", "armv6l", "armv7l", "ppc64le",
        "ppc64", "s390x", "riscv64", "loongarch64", "wasm32",
    };

    /// <summary>The stored platform: <c>system-machine</c>, each part from the vocabulary or <c>other</c>; null when no system was reported.</summary>
    public static string? Normalize(string? system, string? machine, Action<string> dropped)
    {
        if (system is null)
        {
            return null;
        }

        var s = Systems.Contains(system) ? system : Fold("system");
        if (machine is null)
        {
            return s;
        }

        var m = Machines.Contains(machine) ? machine : Fold("machine");
        return $"{s}-{m}";

        string Fold(string part)
        {
            dropped($"folded.platform_{part}");
            return Other;
        }
    }

    /// <summary>A stored-form platform (<c>Linux-x86_64</c>) from telemetry, normalised the same way.</summary>
    public static string? NormalizeJoined(string? platform, Action<string> dropped)
    {
        if (platform is null)
        {
            return null;
        }

        var dash = platform.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? Normalize(platform, null, dropped) : Normalize(platform[..dash], platform[(dash + 1)..], dropped);
    }
}
