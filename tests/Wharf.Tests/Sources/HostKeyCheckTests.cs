using System.Security.Cryptography;
using System.Text;
using Wharf.Projects;
using Wharf.Sources.Files.Locations;

namespace Wharf.Tests.Sources;

/// <summary>An SFTP server's host key against known_hosts (plain, [host]:port, hashed, wildcards, @revoked) or a pinned fingerprint: never accepted blindly.</summary>
public sealed class HostKeyCheckTests : IDisposable
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("\0\0\0\vssh-ed25519\0\0\0 the server's public key bytes");
    private static readonly byte[] OtherKey = Encoding.ASCII.GetBytes("\0\0\0\vssh-ed25519\0\0\0 somebody else's key bytes....");
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-known-hosts-");

    public void Dispose() => folder.Delete(recursive: true);

    private static string Fingerprint(byte[] key) => Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    private HostKeyCheck Check(string knownHosts, int port = 22)
    {
        var file = Path.Combine(folder.FullName, "known_hosts");
        File.WriteAllText(file, knownHosts);
        return new HostKeyCheck(new SftpSettings { Host = "sftp.example", Port = port, User = "etl", KnownHosts = file });
    }

    private static string Line(string names, byte[] key) => $"{names} ssh-ed25519 {Convert.ToBase64String(key)}\n";

    [Theory]
    [InlineData("sftp.example", 22)]
    [InlineData("other.example,sftp.example", 22)]
    [InlineData("[sftp.example]:2222", 2222)]
    [InlineData("*.example", 22)]
    public void Accept_AListedKey(string names, int port)
    {
        var check = Check("# a comment\n" + Line(names, Key), port);

        check.Accept(Key, Fingerprint(Key)).ShouldBeTrue(check.Problem);
        check.Problem.ShouldBeNull();
    }

    [Fact]
    public void Accept_AHashedName()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // the known_hosts format
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("sftp.example"));
#pragma warning restore CA5350
        var check = Check(Line($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}", Key));

        check.Accept(Key, Fingerprint(Key)).ShouldBeTrue(check.Problem);
    }

    [Fact]
    public void Refuse_AnotherKeyForTheHost_AsAMismatch()
    {
        var check = Check(Line("sftp.example", OtherKey));

        check.Accept(Key, Fingerprint(Key)).ShouldBeFalse();
        check.Problem!.ShouldContain("HOST KEY MISMATCH");
        check.Problem!.ShouldContain("SHA256:" + Fingerprint(Key));
    }

    [Theory]
    [InlineData("elsewhere.example")]
    [InlineData("[sftp.example]:2222")]
    [InlineData("*.example,!sftp.example")]
    public void Refuse_AHostNotListed_SayingHowToAddIt(string names)
    {
        var check = Check(Line(names, Key));

        check.Accept(Key, Fingerprint(Key)).ShouldBeFalse();
        check.Problem!.ShouldContain("sftp.example is not in");
        check.Problem!.ShouldContain("ssh-keyscan -p 22 sftp.example");
    }

    [Fact]
    public void Refuse_ARevokedKey()
    {
        var check = Check("@revoked " + Line("*", Key) + Line("sftp.example", Key));

        check.Accept(Key, Fingerprint(Key)).ShouldBeFalse();
        check.Problem!.ShouldContain("@revoked");
    }

    [Fact]
    public void Refuse_WhenKnownHostsIsMissing()
    {
        var check = new HostKeyCheck(new SftpSettings { Host = "sftp.example", User = "etl", KnownHosts = Path.Combine(folder.FullName, "none") });

        check.Accept(Key, Fingerprint(Key)).ShouldBeFalse();
        check.Problem!.ShouldContain("does not exist");
    }

    [Fact]
    public void Pinned_AcceptsOnlyThatFingerprint()
    {
        var pinned = new HostKeyCheck(new SftpSettings { Host = "sftp.example", User = "etl", HostKeyFingerprint = "SHA256:" + Fingerprint(Key) });

        pinned.Accept(Key, Fingerprint(Key)).ShouldBeTrue();
        pinned.Accept(OtherKey, Fingerprint(OtherKey)).ShouldBeFalse();
        pinned.Problem!.ShouldContain("not the pinned host_key_fingerprint");
    }
}
