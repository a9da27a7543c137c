namespace Sentinel.Text;

/// <summary>
/// How a version reads for people. The lake and the JSON summaries keep <c>unknown</c> (a partition name);
/// every page, report and issue says what it means instead.
/// </summary>
public static class VersionText
{
    public const string NotReported = "version not reported";

    public static string Label(string version) => version == Storage.LakeSchema.Unknown ? NotReported : version;

    public static string Labels(IEnumerable<string> versions) => string.Join(", ", versions.Select(Label));
}
