namespace Wharf.Sources.Http;

/// <summary>
/// One run of a pipeline's request (<c>for_each:</c>): its place in the order, its key (what a
/// resumed run looks for), its variables for <c>{{ name }}</c>, and the columns added to its records.
/// A pipeline without <c>for_each</c> has one partition without variables.
/// </summary>
internal sealed record Partition(int Index, string Key, IReadOnlyDictionary<string, string> Variables, IReadOnlyList<KeyValuePair<string, string>> Columns)
{
    public static Partition Whole { get; } = new(0, "", new Dictionary<string, string>(), []);

    /// <summary>For messages: <c> (partition date=2024-01-03)</c>, empty for the whole request.</summary>
    public string Describe() => Variables.Count == 0 ? "" : $" (partition {string.Join(", ", Variables.Select(v => $"{v.Key}={v.Value}"))})";
}
