using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Sentinel.Storage;

namespace Sentinel.Ingest;

/// <summary>
/// Opens upload files the way an untrusted folder must be read: only regular files, never through a
/// symbolic link, never a device, FIFO or socket (<c>events.jsonl → /dev/zero</c> spins forever, a FIFO
/// blocks forever, <c>→ /etc/passwd</c> reads a host file). The type is taken with <c>lstat</c> semantics
/// before opening, and the opened handle is checked to be that same file afterwards, so a link swapped
/// in between is refused too.
/// </summary>
internal static class RegularFile
{
    /// <summary>Why <paramref name="path"/> is not a regular file that may be opened, or null when it is.</summary>
    public static string? WhyNot(string path)
    {
        var stat = LStat(path);
        if (stat is { } s)
        {
            return s.Type switch
            {
                FileType.Regular => null,
                FileType.Missing => "does not exist",
                _ => Describe(s.Type),
            };
        }

        // No statx (not Linux): links, reparse points and directories are all .NET can tell apart.
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || (info.Exists && info.Attributes.HasFlag(FileAttributes.ReparsePoint)))
        {
            return Describe(FileType.Link);
        }

        return Directory.Exists(path) ? Describe(FileType.Directory) : info.Exists ? null : "does not exist";
    }

    /// <summary>True when <paramref name="path"/> itself (not what it points to) is a symbolic link or reparse point.</summary>
    public static bool IsLink(string path)
    {
        if (LStat(path) is { } s)
        {
            return s.Type == FileType.Link;
        }

        var info = new FileInfo(path);
        return info.LinkTarget is not null || ((info.Exists || Directory.Exists(path)) && info.Attributes.HasFlag(FileAttributes.ReparsePoint));
    }

    /// <summary>
    /// Opens a regular file for reading, capped at <paramref name="maxBytes"/> counted as they are read
    /// (the size on disk is not trusted: a file may grow while it is read).
    /// </summary>
    /// <param name="display">How the file is named in a reason (the upload, or upload/member).</param>
    /// <param name="capMessage">The reason when more than <paramref name="maxBytes"/> come out.</param>
    /// <exception cref="BundleRejectedException">Not a regular file, or it changed while being opened.</exception>
    public static Stream OpenRead(string path, string display, long maxBytes, string capMessage)
    {
#pragma warning disable CA2000 // ownership passes to the LimitedStream returned (disposed on failure below)
        var file = Open(path, display);
#pragma warning restore CA2000
        try
        {
            return new LimitedStream(file, maxBytes, display, new InflateBudget(maxBytes), capMessage);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens a regular file (seekable, uncapped: for archives, whose readers seek).</summary>
    /// <exception cref="BundleRejectedException">Not a regular file, or it changed while being opened.</exception>
    public static FileStream Open(string path, string display)
    {
        var before = LStat(path);
        var why = WhyNot(path);
        if (why is not null)
        {
            throw new BundleRejectedException(new Problem(display, null, $"{Path.GetFileName(path)} is {why}: only regular files are read"));
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (before is { } b && FStat(file) is { } after && (after.Type != FileType.Regular || after.Inode != b.Inode || after.Device != b.Device))
        {
            file.Dispose();
            throw new BundleRejectedException(new Problem(display, null, $"{Path.GetFileName(path)} changed while it was opened (a link swapped in?): not read"));
        }

        return file;
    }

    private static string Describe(FileType type) => type switch
    {
        FileType.Link => "a symbolic link (not followed)",
        FileType.Directory => "a directory",
        FileType.Fifo => "a FIFO (named pipe)",
        FileType.CharDevice or FileType.BlockDevice => "a device",
        FileType.Socket => "a socket",
        _ => "not a regular file",
    };

    private enum FileType { Missing, Regular, Directory, Link, Fifo, CharDevice, BlockDevice, Socket, Other }

    private readonly record struct Stat(FileType Type, ulong Inode, ulong Device);

    // statx(2): unlike struct stat, struct statx has one layout on every Linux architecture.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxIno = 0x100;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    private static bool _noStatx = !OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian;

    private static Stat? LStat(string path) => Call(AtFdCwd, path, AtSymlinkNoFollow);

    private static Stat? FStat(FileStream file)
    {
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();
        return Call(fd, "", AtEmptyPath | AtSymlinkNoFollow);
    }

    private static Stat? Call(int dirfd, string path, int flags)
    {
        if (_noStatx)
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(dirfd, path, flags, StatxType | StatxIno, buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is 2 or 20 ? new Stat(FileType.Missing, 0, 0) : null; // ENOENT, ENOTDIR
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _noStatx = true;
            return null;
        }

        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & 0xF000;
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        var device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        var type = mode switch
        {
            0x8000 => FileType.Regular,
            0x4000 => FileType.Directory,
            0xA000 => FileType.Link,
            0x1000 => FileType.Fifo,
            0x2000 => FileType.CharDevice,
            0x6000 => FileType.BlockDevice,
            0xC000 => FileType.Socket,
            _ => FileType.Other,
        };
        return new Stat(type, inode, device);
    }
}
