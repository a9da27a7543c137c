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
        ("known_token", KnownToken()),
        ("private_key", PrivateKey()),
        ("url_credentials", UrlCredentials()),
        ("secret_pair", SecretPair()),
        ("email", Email()),
        ("windows_path", WindowsPath()),
        ("unc_path", UncPath()),
        ("home_path", HomePath()),
        ("unix_path", UnixPath()),
        ("ipv4", IPv4()),
        ("ipv6", IPv6()),
        ("mac_address", MacAddress()),
        ("phone_number", PhoneNumber()),
    ];

    /// <summary>Every reason <see cref="Check"/> can return, for documentation and ledgers.</summary>
    public static IReadOnlyList<string> Reasons { get; } = [.. Rules.Select(r => r.Reason), "aws_secret_key", "card_number", "secret_shaped"];

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

        foreach (Match m in CardDigits().Matches(value))
        {
            if (Luhn(m.Value))
            {
                return "card_number";
            }
        }

        return SecretShape.Looks(value) ? "secret_shaped" : null;
    }

    /// <summary>13 to 19 digits (spaces or dashes between groups allowed) that pass the Luhn check: a payment card number.</summary>
    private static bool Luhn(string candidate)
    {
        var digits = candidate.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        // Card numbers start with 2-6 (Mastercard, Amex/Diners, Visa, Mastercard, Discover); "0000…" passes Luhn but is none.
        if (digits.Length is < 13 or > 19 || digits[0] is < 2 or > 6)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
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

    // The public prefixes of well-known credentials (the rule sets of gitleaks and detect-secrets): Stripe, npm,
    // Hugging Face, GitLab, PyPI, Google API, Telegram bot tokens. Bounded by a non-alphanumeric, not \b: an
    // identifier glues them with '_' ("x_npm_…").
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|npm_[A-Za-z0-9]{30,}|hf_[A-Za-z]{30,}|glpat-[A-Za-z0-9_-]{20,}|pypi-[A-Za-z0-9_-]{40,}|AIza[0-9A-Za-z_-]{35}|[0-9]{8,10}:AA[0-9A-Za-z_-]{30,})")]
    private static partial Regex KnownToken();

    // user:password@ in a URL (postgres://user:pw@host, https://u:p@…).
    [GeneratedRegex(@"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])")]
    private static partial Regex MacAddress();

    // International (+CC …) or North American ((555) 123-4567) phone numbers.
    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}|\(\d{3}\)\s?\d{3}-\d{4})(?!\w)")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")]
    private static partial Regex CardDigits();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----")]
    private static partial Regex PrivateKey();

    // key=value / key: value secrets; a template placeholder such as token={token} is not a secret.
    // Bounded by a non-letter, not \b: "DB_PASSWORD:…" glues the keyword with '_'. sig= is an Azure SAS signature.
    [GeneratedRegex(@"(?i)(?<![a-z])(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth|credentials?|sig)\s*[=:]\s*(?!\{\w*\})[^\s'""]{3,}")]
    private static partial Regex SecretPair();

    // Any script, not ASCII only (josé.garcía@universidad.es).
    [GeneratedRegex(@"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9])[A-Z]:[\\/][^\s]")]
    private static partial Regex WindowsPath();

    [GeneratedRegex(@"\\\\[A-Za-z0-9._$-]+\\")]
    private static partial Regex UncPath();

    // Also rootless Windows profiles ("Users\\maria\\…" without a drive letter).
    [GeneratedRegex(@"(?:/home/|/Users/|/root/|/scratch/|/var/folders/|(?<![\w.])~/|(?i:(?<![\w])users\\[^\\\s]+))")]
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
