using System.Text.RegularExpressions;

namespace Sentinel.Text;

/// <summary>
/// The last line of defence for every kept text value (DESIGN §3): a value that looks like it
/// carries personal data or a credential is dropped whole, never half-kept. Returns the reason
/// (a ledger key) or null when the value is clean.
/// </summary>
internal static partial class Scrubber
{
    // Ordered: the most specific credential shapes first so the ledger names them precisely.
    private static readonly (string Reason, Regex Pattern)[] Rules =
    [
        ("jwt", Jwt()),
        ("github_token", GitHubToken()),
        ("openai_key", OpenAiKey()),
        ("aws_access_key", AwsKeyId()),
        ("slack_token", SlackToken()),
        ("private_key", PrivateKey()),
        ("secret_pair", SecretPair()),
        ("email", Email()),
        ("windows_path", WindowsPath()),
        ("unc_path", UncPath()),
        ("home_path", HomePath()),
        ("unix_path", UnixPath()),
        ("ipv4", IPv4()),
        ("ipv6", IPv6()),
    ];

    /// <summary>Every reason <see cref="Check"/> can return, for documentation and ledgers.</summary>
    public static IReadOnlyList<string> Reasons { get; } = [.. Rules.Select(r => r.Reason), "aws_secret_key"];

    public static string? Check(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        foreach (var (reason, pattern) in Rules)
        {
            if (pattern.IsMatch(value))
            {
                return reason;
            }
        }

        foreach (Match m in Base64Forty().Matches(value))
        {
            // A 40-character base64 run with mixed case and a digit is the shape of an AWS secret key; one
            // glued to more base64 characters ("key/…", "0.1+…") is caught when the run has a '/' or '+'
            // (which identifiers and words never have).
            var s = m.Value;
            if (s.Any(char.IsDigit) && s.Any(char.IsUpper) && s.Any(char.IsLower) && (s.Length == 40 || s.AsSpan().IndexOfAny('/', '+') >= 0))
            {
                return "aws_secret_key";
            }
        }

        return null;
    }

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.?[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b")]
    private static partial Regex AwsKeyId();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}")]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    // key=value / key: value secrets; a template placeholder such as token={token} is not a secret.
    [GeneratedRegex(@"(?i)\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|credentials?)\s*[=:]\s*(?!\{\w*\})[^\s'""]{3,}")]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9])[A-Z]:[\\/][^\s]")]
    private static partial Regex WindowsPath();

    [GeneratedRegex(@"\\\\[A-Za-z0-9._$-]+\\")]
    private static partial Regex UncPath();

    [GeneratedRegex(@"(?:/home/|/Users/|/root/|/scratch/|/var/folders/|(?<![\w.])~/)")]
    private static partial Regex HomePath();

    // An absolute path of two or more components (not a URL, not "m/s" or "I/O").
    [GeneratedRegex(@"(?<![\w.:/\\-])/[\w.-]+/[\w.-]+")]
    private static partial Regex UnixPath();

    [GeneratedRegex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)")]
    private static partial Regex IPv4();

    [GeneratedRegex(@"(?i)(?<![0-9a-z:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?)(?![0-9a-z:])")]
    private static partial Regex IPv6();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40,}(?![A-Za-z0-9/+])")]
    private static partial Regex Base64Forty();
}
