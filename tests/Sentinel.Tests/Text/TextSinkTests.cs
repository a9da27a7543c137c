using Sentinel.Tests.Support;
using Sentinel.Text;

namespace Sentinel.Tests.Text;

/// <summary>Text sinks beyond HTML and Markdown: a spreadsheet opening `query --format csv`, and a terminal.</summary>
public sealed class TextSinkTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-text");

    [Theory]
    [InlineData("evil\u202Egnp.exe", "evilgnp.exe")]
    [InlineData("a\u2066b\u2069c\u0007d", "abcd")]
    [InlineData("<b>x</b>\n", "&lt;b&gt;x&lt;/b&gt;\n")]
    public void Html_escapes_and_drops_controls_and_bidi_overrides(string text, string expected) =>
        Assert.Equal(expected, Sentinel.Dashboard.Html.E(text));

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"")]
    [InlineData("+1+cmd", "'+1+cmd")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("plain, with comma", "\"plain, with comma\"")]
    [InlineData("MSM-W010", "MSM-W010")]
    public void Csv_text_cells_that_a_spreadsheet_would_run_get_a_quote_prefix(string value, string expected) =>
        Assert.Equal(expected, CsvText.Cell(value));

    [Fact]
    public void Csv_numbers_are_never_prefixed() => Assert.Equal("-1.5", CsvText.Cell("-1.5", isText: false));

    [Fact]
    public void Cli_query_csv_prefixes_formulas_but_not_negative_numbers()
    {
        var lake = _dir.Sub("lake");
        Directory.CreateDirectory(lake);
        var r = SentinelRunner.Cli(_dir.Path, "query", "SELECT '=HYPERLINK(1)' AS f, -1.5 AS n", "--lake", lake, "--format", "csv");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("f,n\n'=HYPERLINK(1),-1.5\n", r.Stdout);
    }

    [Fact]
    public void Terminal_text_shows_escape_sequences_and_bidi_overrides_instead_of_obeying_them()
    {
        Assert.Equal("evil\\u001B[2Jname\\u202Efdp.exe", TerminalText.Safe("evil\u001b[2Jname\u202efdp.exe"));
        Assert.Equal("molsysmt-0.10.0.json", TerminalText.Safe("molsysmt-0.10.0.json"));
    }

    [Fact]
    public void Cli_ingest_progress_never_writes_a_file_names_escape_sequence_to_the_terminal()
    {
        var uploads = _dir.Sub("uploads");
        Directory.CreateDirectory(uploads);
        File.Copy(Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"), Path.Combine(uploads, "red\u001b[31m\u001b]0;title\u0007.json"));

        var r = SentinelRunner.Cli(_dir.Path, "ingest", uploads, "--lake", _dir.Sub("lake"));

        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stderr + r.Stdout);
        Assert.DoesNotContain('\u0007', r.Stderr + r.Stdout);
        Assert.Contains("red\\u001B[31m", r.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
