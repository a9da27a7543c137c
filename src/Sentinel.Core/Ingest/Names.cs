namespace Sentinel.Ingest;

/// <summary>Validation of library names and versions, for callers outside the ingest stage.</summary>
public static class Names
{
    public static bool IsLibrary(string name) => Attribution.IsLibraryName(name);

    public static bool IsVersion(string version) => Attribution.IsVersion(version);
}
