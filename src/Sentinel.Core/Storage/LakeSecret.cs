using System.Security.Cryptography;
using System.Text;

namespace Sentinel.Storage;

/// <summary>
/// The per-deployment key of the keyed hashes (run_key, event_id): <c>SENTINEL_SECRET</c>, else a
/// random key created in <c>&lt;lake&gt;/state/secret.key</c> on first local use.
/// </summary>
internal static class LakeSecret
{
    public const string EnvironmentVariable = "SENTINEL_SECRET";

    public static byte[] Load(LakePaths paths, bool create)
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return SHA256.HashData(Encoding.UTF8.GetBytes(fromEnv));
        }

        var file = Path.Combine(paths.State, "secret.key");
        if (File.Exists(file))
        {
            return Convert.FromHexString(File.ReadAllText(file).Trim());
        }

        var key = RandomNumberGenerator.GetBytes(32);
        if (!create)
        {
            return key; // inspect: a throwaway key, nothing is stored
        }

        Directory.CreateDirectory(paths.State);
        return WriteOwnerOnly(file, Convert.ToHexStringLower(key))
            ? key
            : Convert.FromHexString(File.ReadAllText(file).Trim()); // another run created it first: one key per lake

    }

    /// <summary>
    /// Writes the key to a temp file that is created with owner-only permissions (0600, by open(2) itself, so
    /// there is no moment at which another user could open it), flushed to disk, then renamed into place. If
    /// another run created the key meanwhile, its key wins (false).
    /// </summary>
    private static bool WriteOwnerOnly(string file, string hex)
    {
        var tmp = $"{file}.{Environment.ProcessId}.tmp";
        File.Delete(tmp); // left by a crashed run with the same pid
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(tmp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(hex));
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
