namespace Sentinel.Tests.Support;

/// <summary>The golden-file helper itself: a missing file never passes, an update run never passes.</summary>
public sealed class GoldenTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-golden");

    [Fact]
    public void A_missing_golden_file_fails_and_is_not_created()
    {
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Golden.Verify(_dir.Path, "missing.txt", "output", update: false));
        Assert.Contains("is missing", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Sub("missing.txt")));
    }

    [Fact]
    public void A_matching_golden_file_passes_and_a_different_one_fails()
    {
        File.WriteAllText(_dir.Sub("same.txt"), "line\n");
        Golden.Verify(_dir.Path, "same.txt", "line\r\n", update: false);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Golden.Verify(_dir.Path, "same.txt", "other\n", update: false));
    }

    [Fact]
    public void An_update_run_writes_the_file_and_still_fails_then_the_next_run_passes()
    {
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Golden.Verify(_dir.Path, "new.txt", "fresh", update: true));
        Assert.Contains("was written", ex.Message, StringComparison.Ordinal);
        Assert.Equal("fresh", File.ReadAllText(_dir.Sub("new.txt")));
        Golden.Verify(_dir.Path, "new.txt", "fresh", update: false);
        Golden.Verify(_dir.Path, "new.txt", "fresh", update: true); // nothing to write: passes
    }

    public void Dispose() => _dir.Dispose();
}
