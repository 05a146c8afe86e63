namespace Wharf.Sources.Files.Locations;

/// <summary>
/// Writes a remote file to the spool whole or not at all: into <c>FILE.part</c>, checked against
/// the size the listing gave, then renamed. A transfer cut short raises an <see cref="IOException"/>
/// (which the locations retry from the start) and leaves nothing behind.
/// </summary>
internal static class WholeDownload
{
    /// <param name="copy">Copies the remote file into the stream it is given.</param>
    /// <param name="shortBy">What else a short transfer may mean for this location, added to the message (or empty).</param>
    public static async Task WriteAsync(LocationEntry entry, string localPath, Func<Stream, CancellationToken, Task> copy, string shortBy, CancellationToken cancellationToken)
    {
        var partial = localPath + ".part";
        try
        {
            long written;
            await using (var target = File.Create(partial))
            {
                await copy(target, cancellationToken);
                written = target.Length;
            }

            if (written != entry.Size)
            {
                throw new IOException($"the transfer of {entry.Path} ended after {written:N0} of its {entry.Size:N0} bytes{shortBy}");
            }

            File.Move(partial, localPath, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
