namespace Sentinel.Text;

/// <summary>
/// The one rule of every text sink (HTML, Markdown, terminal, LLM answers): C0/C1 control characters and the
/// bidirectional embeddings, overrides and isolates (U+202A–E, U+2066–9), which hide or reorder what a reader sees.
/// </summary>
public static class HiddenChar
{
    public static bool Is(char c) => char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
