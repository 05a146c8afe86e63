namespace Wharf.Lake;

/// <summary>
/// Whether a lake file is still the one its manifest describes, checked before anything is read
/// from it: a file cut short (a full disk, a copy that stopped) or overwritten would otherwise fail
/// halfway through a replay, after earlier runs were applied. Cheap: the size, and Parquet's
/// magic bytes at both ends.
/// </summary>
internal static class LakeFileCheck
{
    private static ReadOnlySpan<byte> ParquetMagic => "PAR1"u8;

    /// <summary>Null when the file is whole, else what is wrong with it (a phrase: "is gone", "has …").</summary>
    public static string? Problem(string path, LakeManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return "is gone";
        }

        if (info.Length != manifest.Bytes)
        {
            return $"has {info.Length:N0} bytes where its manifest says {manifest.Bytes:N0} (cut short or changed after it was written)";
        }

        if (!path.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return null;
        }

        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[4];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (file.Length < 12 || file.Read(head) != 4 || file.Seek(-4, SeekOrigin.End) < 0 || file.Read(tail) != 4)
            {
                return "is too small to be a Parquet file";
            }
        }

        return head.SequenceEqual(ParquetMagic) && tail.SequenceEqual(ParquetMagic) ? null : "is not a whole Parquet file (it does not begin and end with PAR1)";
    }
}
