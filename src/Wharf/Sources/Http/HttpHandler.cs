using System.Net;
using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>The socket handler of an <c>http</c> connection: decompression, connection pool and TLS trust.</summary>
internal static class HttpHandler
{
    public static SocketsHttpHandler Create(HttpConnectionSettings settings, string connection, ILogger logger)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = settings.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = settings.MaxConcurrency,
        };
        if (settings.SkipTlsVerify)
        {
            HttpLog.TlsVerificationOff(logger, connection);
        }

        handler.SslOptions.RemoteCertificateValidationCallback = TlsTrust.Callback(settings.CaFile, settings.SkipTlsVerify);
        return handler;
    }
}
