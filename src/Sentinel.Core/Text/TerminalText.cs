using System.Globalization;
using System.Text;

namespace Sentinel.Text;

/// <summary>
/// Untrusted text (an upload's file name, a quarantine reason quoting one) on a terminal or in a CI log: every
/// control character (ANSI escape sequences start with ESC), and every bidirectional override, is shown as a
/// visible <c>\u001B</c>-style escape instead of being obeyed.
/// </summary>
public static class TerminalText
{
    public static string Safe(string text)
    {
        if (!text.Any(HiddenChar.Is))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (HiddenChar.Is(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
