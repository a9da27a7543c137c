using System.Security.Cryptography;
using System.Text;

namespace Sentinel.Lake;

/// <summary>
/// The per-deployment key of the keyed hashes (run_key, event_id): <c>SENTINEL_SECRET</c>, else a
/// random key created in <c>&lt;lake&gt;/state/secret.key</c> on first local use.
/// </summary>
public static class LakeSecret
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
        var tmp = file + ".tmp";
        File.WriteAllText(tmp, Convert.ToHexStringLower(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, file, overwrite: false);
        return key;
    }
}
