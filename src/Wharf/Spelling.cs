namespace Wharf;

/// <summary>
/// "Did you mean …?" for a name that is not one of the known ones: the closest by edit distance,
/// where swapping two neighbouring letters counts as one edit (the commonest typo:
/// <c>tabels</c> is one edit from <c>tables</c>), and a tie goes to the name of the typed length.
/// </summary>
internal static class Spelling
{
    /// <summary>The hint to append to an error message, or an empty string when nothing is close.</summary>
    public static string DidYouMean(IEnumerable<string> known, string typed, int maxDistance)
    {
        var closest = known
            .Select(name => (Name: name, Distance: Distance(name, typed)))
            .Where(candidate => candidate.Distance <= maxDistance)
            .OrderBy(candidate => candidate.Distance)
            .ThenBy(candidate => Math.Abs(candidate.Name.Length - typed.Length))
            .Select(candidate => candidate.Name)
            .FirstOrDefault();
        return closest is null ? "" : $" Did you mean '{closest}'?";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
