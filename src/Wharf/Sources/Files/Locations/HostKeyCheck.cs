using System.Security.Cryptography;
using System.Text;
using Wharf.Projects;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// Whether an SFTP server's host key is the one expected: the pinned SHA256 fingerprint, or a
/// key that <c>known_hosts</c> lists for the host (plain, <c>[host]:port</c> or hashed names).
/// Never accepts a key blindly; <see cref="Problem"/> says why one was refused.
/// </summary>
internal sealed class HostKeyCheck(SftpSettings settings)
{
    /// <summary>Why the last key was refused; null when it was accepted (or none was offered).</summary>
    public string? Problem { get; private set; }

    /// <param name="key">The key blob, as known_hosts holds it (base64).</param>
    /// <param name="fingerprint">Its SHA256 fingerprint, unpadded base64 without the <c>SHA256:</c> prefix.</param>
    public bool Accept(byte[] key, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(key);
        var shown = "SHA256:" + fingerprint;
        if (settings.HostKeyFingerprint is { } pinned)
        {
            var same = string.Equals(pinned.TrimEnd('='), shown, StringComparison.Ordinal);
            Problem = same ? null : $"the host key of {settings.Host} is {shown}, not the pinned host_key_fingerprint {pinned}: the key changed, or this is not the server you expect. Nothing was sent to it.";
            return same;
        }

        var file = settings.KnownHosts!;
        if (!File.Exists(file))
        {
            Problem = $"the known_hosts file {file} does not exist, so the host key of {settings.Host} ({shown}) cannot be verified. " +
                $"Add the key (ssh-keyscan -p {settings.Port} {settings.Host} >> {file}, after checking it) or pin host_key_fingerprint: {shown}.";
            return false;
        }

        var blob = Convert.ToBase64String(key);
        var listed = false;
        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0].StartsWith('#'))
            {
                continue;
            }

            var revoked = fields[0] == "@revoked";
            if (fields[0].StartsWith('@'))
            {
                fields = fields[1..];
                if (fields.Length < 3 || revoked is false)
                {
                    continue; // @cert-authority: certificates are not used here
                }
            }

            if (!NamesHost(fields[0]))
            {
                continue;
            }

            if (fields[2] == blob)
            {
                Problem = revoked ? $"the host key of {settings.Host} ({shown}) is marked @revoked in {file}." : null;
                return !revoked;
            }

            listed |= !revoked;
        }

        Problem = listed
            ? $"HOST KEY MISMATCH: {file} lists other keys for {settings.Host}, and the server offered {shown}. The key changed, or this is not the server you expect (a man in the middle?). Nothing was sent to it."
            : $"{settings.Host} is not in {file}, so its host key ({shown}) cannot be verified. Add it (ssh-keyscan -p {settings.Port} {settings.Host} >> {file}, after checking the key) or pin host_key_fingerprint: {shown}.";
        return false;
    }

    /// <summary>Whether a known_hosts name field names this host and port.</summary>
    private bool NamesHost(string names)
    {
        var host = settings.Port == 22 ? settings.Host : $"[{settings.Host}]:{settings.Port}";
        var matched = false;
        foreach (var name in names.Split(','))
        {
            if (name.StartsWith("|1|", StringComparison.Ordinal))
            {
                matched |= HashedNames(name, host);
            }
            else if (name.StartsWith('!'))
            {
                if (Wildcard(name[1..], host))
                {
                    return false;
                }
            }
            else
            {
                matched |= Wildcard(name, host);
            }
        }

        return matched;
    }

    /// <summary>A hashed name (<c>|1|salt|hash</c>): HMAC-SHA1 of the host under the salt.</summary>
    private static bool HashedNames(string name, string host)
    {
        var parts = name.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
#pragma warning disable CA5350 // known_hosts' hashed names are HMAC-SHA1 by definition; it only finds the line, the key itself is compared whole
            var hash = HMACSHA1.HashData(Convert.FromBase64String(parts[2]), Encoding.UTF8.GetBytes(host));
#pragma warning restore CA5350
            return CryptographicOperations.FixedTimeEquals(hash, Convert.FromBase64String(parts[3]));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Wildcard(string pattern, string host) =>
        System.Text.RegularExpressions.Regex.IsMatch(host,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
