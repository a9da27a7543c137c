using System.Security.Cryptography;
using System.Text;
using Sentinel.Ingest;

namespace Sentinel.Serve;

/// <summary>
/// The inbox folder as the server sees it: durable writes (temp file in <c>.tmp/</c>, fsync, rename to
/// <c>&lt;receipt&gt;.&lt;ext&gt;</c>), the deletion-token secret (<c>.secret</c>, 0600) and the quota.
/// Dot-entries are skipped by <c>sentinel ingest</c>, so neither <c>.tmp/</c> nor <c>.secret</c> is ever read as a bundle.
/// </summary>
internal sealed class Inbox
{
    public const int TokenLength = 32;
    private static readonly string[] Extensions = [.. Enum.GetValues<BodyKind>().Select(BodySniffer.Extension)];
    private static readonly TimeSpan UsageStaleAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan TempFilesStaleAfter = TimeSpan.FromHours(1);

    private readonly byte[] _secret;
    private readonly long _quota;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private long _used;
    private long _changedSince; // bytes committed minus bytes deleted, ever: what a measurement in progress may miss
    private long _usedMeasuredAt;
    private int _measuring;

    public Inbox(string dir, long quotaBytes, TimeProvider clock)
    {
        _clock = clock;
        Dir = Path.GetFullPath(dir);
        TempDir = Path.Combine(Dir, ".tmp");
        _quota = quotaBytes;
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(TempDir);
        _secret = LoadOrCreateSecret(Path.Combine(Dir, ".secret"));
        RemoveStaleTempFiles();
        _used = Measure(Dir, isRoot: true);
        _usedMeasuredAt = clock.GetTimestamp();
    }

    public string Dir { get; }

    public string TempDir { get; }

    public enum CommitOutcome
    {
        Stored,
        Duplicate,
        QuotaExceeded,
    }

    public enum DeleteOutcome
    {
        Deleted,
        WrongToken,
        NotFound,

        /// <summary>Already ingested (its copy is in <c>.done/</c>): a marker asks the next <c>sentinel forget --inbox</c> to remove its rows.</summary>
        ForgetScheduled,
    }

    public static string ReceiptOf(ReadOnlySpan<byte> sha256) => Convert.ToHexStringLower(sha256)[..InboxFiles.ReceiptLength];

    public string NewTempFile() => Path.Combine(TempDir, $"{Guid.NewGuid():N}.part");

    public string TokenFor(string receipt) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(receipt)))[..TokenLength];

    /// <summary>Room for <paramref name="incoming"/> more bytes? (A cheap early answer; <see cref="Commit"/> decides.)</summary>
    public bool HasRoomFor(long incoming)
    {
        RefreshUsageIfStale();
        lock (_gate)
        {
            return _used + incoming <= _quota;
        }
    }

    /// <summary>Renames a fully written, fsynced temp file into place, unless the same bytes are already there or the inbox is full.</summary>
    public CommitOutcome Commit(string tempFile, string receipt, BodyKind kind, long size)
    {
        var target = Path.Combine(Dir, $"{receipt}.{BodySniffer.Extension(kind)}");
        RefreshUsageIfStale();
        lock (_gate)
        {
            if (File.Exists(target))
            {
                return CommitOutcome.Duplicate; // the caller deletes the temp file
            }

            if (_used + size > _quota)
            {
                return CommitOutcome.QuotaExceeded;
            }

            File.Move(tempFile, target, overwrite: false);
            _used += size;
            _changedSince += size;
            return CommitOutcome.Stored;
        }
    }

    public DeleteOutcome Delete(string receipt, string? token)
    {
        if (!InboxFiles.IsReceipt(receipt))
        {
            return DeleteOutcome.NotFound;
        }

        // The token is checked before existence, so a wrong token learns nothing about what was uploaded.
        var expected = Encoding.ASCII.GetBytes(TokenFor(receipt));
        var given = Encoding.ASCII.GetBytes(token?.Trim() ?? "");
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return DeleteOutcome.WrongToken;
        }

        lock (_gate)
        {
            foreach (var ext in Extensions)
            {
                var file = Path.Combine(Dir, $"{receipt}.{ext}");
                if (File.Exists(file))
                {
                    var size = new FileInfo(file).Length;
                    File.Delete(file);
                    _used = Math.Max(0, _used - size);
                    _changedSince -= size;
                    return DeleteOutcome.Deleted;
                }
            }
        }

        return ScheduleForgetIfIngested(receipt);
    }

    // `sentinel ingest --inbox` moved the upload to .done/ after storing it: the lake holds its rows. The marker is
    // what `sentinel forget --inbox` acts on; it is written durably (temp file, fsync, rename) and idempotently.
    private DeleteOutcome ScheduleForgetIfIngested(string receipt)
    {
        var done = Path.Combine(Dir, InboxFiles.DoneFolder);
        if (!Directory.Exists(done) || !Directory.EnumerateFileSystemEntries(done, receipt + ".*").Any())
        {
            return DeleteOutcome.NotFound;
        }

        var forget = Path.Combine(Dir, InboxFiles.ForgetFolder);
        Directory.CreateDirectory(forget);
        var marker = Path.Combine(forget, receipt);
        if (!File.Exists(marker))
        {
            var tmp = Path.Combine(TempDir, $"{Guid.NewGuid():N}.forget");
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, marker, overwrite: true);
        }

        return DeleteOutcome.ForgetScheduled;
    }

    // The inbox is also emptied by ingest (it will move files out), so the count is re-measured from disk when stale.
    // The walk (thousands of files in a busy inbox) runs outside the lock, by one request at a time, so commits never
    // wait for it; what they change meanwhile is added on top (a file the walk saw too is counted twice until the next
    // measurement: the quota errs on the safe side).
    private void RefreshUsageIfStale()
    {
        var now = _clock.GetTimestamp();
        if (_clock.GetElapsedTime(Volatile.Read(ref _usedMeasuredAt), now) <= UsageStaleAfter || Interlocked.Exchange(ref _measuring, 1) == 1)
        {
            return;
        }

        try
        {
            long before;
            lock (_gate)
            {
                before = _changedSince;
            }

            long measured;
            try
            {
                measured = Measure(Dir, isRoot: true);
            }
            catch (IOException)
            {
                return; // a folder vanished mid-walk (ingest moving files): keep the running count, measure next time
            }

            lock (_gate)
            {
                _used = measured + (_changedSince - before);
                Volatile.Write(ref _usedMeasuredAt, now);
            }
        }
        finally
        {
            Volatile.Write(ref _measuring, 0);
        }
    }

    private static long Measure(string dir, bool isRoot)
    {
        long total = 0;
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (isRoot && entry.Name.StartsWith('.'))
            {
                continue;
            }

            total += entry switch
            {
                FileInfo f when f.LinkTarget is null => f.Length,
                DirectoryInfo d when d.LinkTarget is null => Measure(d.FullName, isRoot: false),
                _ => 0,
            };
        }

        return total;
    }

    private void RemoveStaleTempFiles()
    {
        foreach (var f in new DirectoryInfo(TempDir).EnumerateFiles("*.part"))
        {
            if (_clock.GetUtcNow().UtcDateTime - f.LastWriteTimeUtc > TempFilesStaleAfter)
            {
                TryDelete(f.FullName);
            }
        }
    }

    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static byte[] LoadOrCreateSecret(string file)
    {
        if (!File.Exists(file))
        {
            var tmp = $"{file}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(tmp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(tmp, file, overwrite: false);
            }
            catch (IOException) when (File.Exists(file))
            {
                TryDelete(tmp); // another server process created it first: use theirs
            }
        }

        return Convert.FromHexString(File.ReadAllText(file).Trim());
    }
}
