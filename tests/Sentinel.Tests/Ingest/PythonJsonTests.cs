using System.Text;
using System.Text.Json;
using Sentinel.Ingest;

namespace Sentinel.Tests.Ingest;

public sealed class PythonJsonTests
{
    private static string Transform(string input, int chunk = 4096)
    {
        using var s = new PythonJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        var output = new MemoryStream();
        var buffer = new byte[chunk];
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void NonFiniteLiterals_BecomeNull_OutsideStringsOnly(int chunk)
    {
        var input = "{\"a\": NaN, \"b\": [Infinity, -Infinity, -1.5], \"s\": \"NaN -Infinity \\\" NaN\", \"big\": 123456789012345678901234567890}";
        var output = Transform(input, chunk);

        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("a").ValueKind);
        Assert.Equal("[null, null, -1.5]", doc.RootElement.GetProperty("b").GetRawText());
        Assert.Equal("NaN -Infinity \" NaN", doc.RootElement.GetProperty("s").GetString());
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("big").ValueKind);
    }

    [Fact]
    public void InvalidUtf8_IsRefusedWithItsOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"x\": \"Aut").Concat(new byte[] { 0xF3 }).Concat(Encoding.UTF8.GetBytes("noma\"}")).ToArray();
        using var s = new PythonJsonStream(new MemoryStream(bytes));
        var e = Assert.Throws<InvalidDataException>(() => s.CopyTo(Stream.Null));
        Assert.Contains("not valid UTF-8 at byte 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultibyteCharacters_SplitAcrossReads_AreAccepted()
    {
        var text = "{\"x\": \"Autónoma ✓ 𝛼\"}";
        Assert.Equal(text, Transform(text, 1));
    }

    [Theory]
    [InlineData("2026-10-04T17:42:53.465258+00:00", "2026-10-04T17:42:53.4652580Z")]
    [InlineData("2026-10-04T19:42:53+02:00", "2026-10-04T17:42:53.0000000Z")]
    [InlineData("2026-10-04T17:42:53Z", "2026-10-04T17:42:53.0000000Z")]
    public void IsoTimestamps_WithOffset_ConvertToUtc(string raw, string utc)
    {
        Assert.Equal(IsoTimestamp.Problem.None, IsoTimestamp.TryParseUtc(Encoding.ASCII.GetBytes(raw), out var value));
        Assert.Equal(utc, value.ToString("o"));
    }

    [Theory]
    [InlineData("2026-10-04T17:42:53", "NoOffset")]
    [InlineData("04/10/2026 17:42:53", "NotIso")]
    [InlineData("2026-13-04T17:42:53Z", "NotIso")]
    [InlineData("2026-10-04T17:42:53+25:00", "NotIso")]
    public void IsoTimestamps_WithoutOffsetOrMalformed_AreRejected(string raw, string problem) =>
        Assert.Equal(problem, IsoTimestamp.TryParseUtc(Encoding.ASCII.GetBytes(raw), out _).ToString());
}
