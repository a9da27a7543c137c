using System.Text;

namespace Sentinel.Text;

/// <summary>
/// The one neutraliser for untrusted text (codes, titles, versions, reasons, notes) placed into Markdown: the
/// `report --format markdown` job summary and GitHub issue bodies and titles. Before this there were two drifted
/// copies, and the report's let bare <c>https://</c> autolinks and bidi overrides through.
/// </summary>
internal static class MarkdownText
{
    /// <summary>
    /// Untrusted text made inert for a Markdown paragraph or table cell: one line; Markdown, HTML and table
    /// punctuation as numeric entities (no link, image, emphasis, HTML tag or cell break); a zero-width space after
    /// <c>@</c> (no mention, no e-mail autolink); <c>://</c> and <c>www.</c> broken (no autolink); no control or
    /// bidirectional-override characters. Entities are decoded for display, so the reader sees the original text.
    /// </summary>
    public static string Inert(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r' or '\n' or '\t':
                    sb.Append(' ');
                    break;
                case '|' or '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '!' or '#' or '~' or '>' or '<' or '&' or '"' or '\'' or '=' or '$':
                    sb.Append("&#").Append((int)c).Append(';');
                    break;
                case ':':
                    sb.Append("&#58;");
                    break;
                case '.' when i >= 3 && text.AsSpan(i - 3, 3).Equals("www", StringComparison.OrdinalIgnoreCase):
                    sb.Append("&#46;");
                    break;
                case '@':
                    sb.Append("@\u200B");
                    break;
                default:
                    if (!HiddenChar.Is(c))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Untrusted text for plain-text places (an issue title): one line, no control or bidi characters, no mention.</summary>
    public static string Plain(string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '\r' or '\n' or '\t')
            {
                sb.Append(' ');
            }
            else if (c == '@')
            {
                sb.Append("@\u200B");
            }
            else if (!HiddenChar.Is(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
