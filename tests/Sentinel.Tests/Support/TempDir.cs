namespace Sentinel.Tests.Support;

/// <summary>A fresh folder under the system temp dir, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "sentinel-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a corpus entry (file or directory) here, writable, so a test may damage it.</summary>
    public string CopyFromCorpus(string relative)
    {
        var source = Corpus.PathOf(relative);
        var target = Sub(System.IO.Path.GetFileName(source));
        if (Directory.Exists(source))
        {
            Directory.CreateDirectory(target);
            foreach (var f in Directory.EnumerateFiles(source))
            {
                File.Copy(f, System.IO.Path.Combine(target, System.IO.Path.GetFileName(f)));
                MakeWritable(System.IO.Path.Combine(target, System.IO.Path.GetFileName(f)));
            }
        }
        else
        {
            File.Copy(source, target);
            MakeWritable(target);
        }

        return target;
    }

    // The corpus is read-only in CI; copies must be writable so tests can damage and delete them.
    private static void MakeWritable(string file) => File.SetAttributes(file, FileAttributes.Normal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
