using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Storage;

/// <summary>The lake's lock and key: "locked" means another run, never a disk error; the key is never readable by others.</summary>
public sealed class LakeLockAndSecretTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-lock");

    [Fact]
    public void A_second_acquire_while_the_first_is_held_is_locked_and_works_once_released()
    {
        var paths = new LakePaths(_dir.Sub("lake"));
        using (LakeLock.Acquire(paths))
        {
            var e = Assert.Throws<LakeLockedException>(() => LakeLock.Acquire(paths));
            Assert.Contains("locked by another sentinel run", e.Message, StringComparison.Ordinal);
        }

        using var again = LakeLock.Acquire(paths);
    }

    [Fact]
    public void An_io_error_taking_the_lock_is_an_io_error_naming_the_lock_file_not_locked()
    {
        var paths = new LakePaths(_dir.Sub("lake"));
        Directory.CreateDirectory(paths.LockFile); // a folder where the lock file goes: open(2) fails with EISDIR

        var e = Assert.ThrowsAny<IOException>(() => LakeLock.Acquire(paths));
        Assert.Contains(paths.LockFile, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("locked by another", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_exits_3_not_4_when_the_lock_cannot_be_taken_for_an_io_error()
    {
        var lake = _dir.Sub("lake");
        Directory.CreateDirectory(Path.Combine(lake, ".sentinel.lock"));

        var r = SentinelRunner.Cli(_dir.Path, "ingest", Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json"), "--lake", lake);

        Assert.Equal(3, r.ExitCode);
        Assert.Contains("cannot take the lake lock", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_secret_key_is_created_owner_only_with_no_temp_file_left_and_is_reused()
    {
        var paths = new LakePaths(_dir.Sub("lake"));
        var key = WithoutEnvironmentSecret(() => LakeSecret.Load(paths, create: true));

        var file = Path.Combine(paths.State, "secret.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal([file], Directory.GetFiles(paths.State));
        Assert.Equal(key, WithoutEnvironmentSecret(() => LakeSecret.Load(paths, create: true)));
    }

    private static byte[] WithoutEnvironmentSecret(Func<byte[]> load)
    {
        Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LakeSecret.EnvironmentVariable)),
            $"{LakeSecret.EnvironmentVariable} is set in the test environment: the file key is not used");
        return load();
    }

    public void Dispose() => _dir.Dispose();
}
