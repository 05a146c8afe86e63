using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Wharf;

/// <summary>
/// Which server certificates a connection trusts (<c>tls: { ca_file:, insecure_skip_verify: }</c>):
/// the system's verdict, the connection's own authorities besides, or, when the user opted in, any.
/// </summary>
internal static class TlsTrust
{
    /// <summary>The check to give <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>; null for the system's.</summary>
    public static RemoteCertificateValidationCallback? Callback(string? caFile, bool skipVerify)
    {
        if (skipVerify)
        {
#pragma warning disable CA5359 // The user opted in, and every run logs a warning.
            return (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        if (caFile is null)
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caFile);
        return (_, certificate, _, errors) => Trusted(certificate, errors, authorities);
    }

    /// <summary>The system's verdict, or for a chain it does not trust, a chain to one of the connection's own authorities. A wrong host name never passes.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
