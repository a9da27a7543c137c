namespace Sentinel.Text;

/// <summary>
/// One CSV cell (RFC 4180 quoting) that a spreadsheet will not run: a text value starting with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, a tab or a carriage return (a formula to Excel, LibreOffice and Google Sheets, e.g.
/// <c>=HYPERLINK(…)</c>) gets a leading <c>'</c>, as OWASP's CSV-injection guidance says. Numbers are never prefixed:
/// <c>-1.5</c> stays a number.
/// </summary>
public static class CsvText
{
    public static string Cell(string text, bool isText = true)
    {
        var value = isText && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
