using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Sources.Files.Locations;

/// <summary>The location of a connection that holds files (<see cref="ConnectionSettings.HoldsFiles"/>).</summary>
internal static class FileLocations
{
    public static IFileLocation For(ConnectionSettings connection, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Type switch
        {
            "s3" => new S3Location(connection.S3!, time ?? TimeProvider.System, logger),
            "sftp" => new SftpLocation(connection.Sftp!, time ?? TimeProvider.System, logger),
            "ftp" => new FtpLocation(connection.Name, connection.Ftp!, time ?? TimeProvider.System, logger),
            "webdav" => new WebDavLocation(connection.Name, connection.WebDav!, time ?? TimeProvider.System, logger),
            _ => new LocalFolderLocation(connection.Path),
        };
    }
}
