using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary><c>type: s3</c> connections, <c>incremental: files</c> and <c>after_load:</c>: read, and wrong values named at their line.</summary>
public sealed class LocationSettingsTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Project(string connection, string keys = "") => $$"""
        connections:
          bucket: {{connection}}
        pipelines:
          orders:
            source: bucket
            files: "in/*.csv"
        {{keys}}
        """;

    [Fact]
    public async Task Load_S3Connection_ReadsEveryKey_AndItsPipelinesAreFilePipelines()
    {
        folder.WriteProject(Project("{ type: s3, bucket: raw-data, prefix: exports, region: eu-west-1, endpoint: \"http://127.0.0.1:9000\", path_style: true, access_key: AKIA1, secret_key: \"${WHARF_TEST_S3_SECRET}\" }", """
                incremental: files
                after_load: { move_to: archive/ }
            """));

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["WHARF_TEST_S3_SECRET"] = "s3cr3t-value" });

        var s3 = project.Connections[0].S3!;
        (s3.Bucket, s3.Prefix, s3.Region, s3.Endpoint, s3.PathStyle, s3.AccessKey, s3.SecretKey)
            .ShouldBe(("raw-data", "exports/", "eu-west-1", "http://127.0.0.1:9000", true, "AKIA1", "s3cr3t-value"));
        project.Connections[0].HoldsFiles.ShouldBeTrue();
        s3.ToString().ShouldBe("s3://raw-data/exports/");
        project.Connections[0].ToString().ShouldNotContain("s3cr3t");
        var pipeline = project.Pipelines[0];
        pipeline.Files.ShouldBe(["in/*.csv"]);
        pipeline.Incremental.NewFilesOnly.ShouldBeTrue();
        pipeline.AfterLoad.ShouldBe(new AfterLoadSettings { MoveTo = "archive" });
    }

    [Fact]
    public async Task Load_S3WithEmptyEndpoint_UsesAws_AndNoKeys_UsesTheCredentialChain()
    {
        folder.WriteProject(Project("{ type: s3, bucket: raw, endpoint: \"${WHARF_TEST_UNSET_ENDPOINT:-}\" }"));

        var s3 = (await folder.LoadAsync()).Connections[0].S3!;

        (s3.Endpoint, s3.AccessKey, s3.SecretKey, s3.Prefix).ShouldBe((null, null, null, ""));
    }

    [Theory]
    [InlineData("{ type: s3, prefix: x }", "needs 'bucket:'")]
    [InlineData("{ type: s3, bucket: b, access_key: A }", "sets 'access_key' without 'secret_key'")]
    [InlineData("{ type: s3, bucket: b, endpoint: \"not a url\" }", "must be a URL")]
    [InlineData("{ type: s3, bucket: b, path: x }", "unknown key 'path'")]
    public async Task Load_WrongS3Connection_SaysWhat(string connection, string problem)
    {
        folder.WriteProject(Project(connection));

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain(problem);
        error.Line.ShouldBe(2);
    }

    [Theory]
    [InlineData("incremental: rows", "'incremental' can only be 'files'")]
    [InlineData("incremental: files\n    cursor: id", "use one of them")]
    [InlineData("incremental: files\n    mode: replace", "the table would keep only the newest files' rows")]
    [InlineData("after_load: { move_to: archive, delete: true }", "needs one of 'move_to:'")]
    [InlineData("after_load: { delete: false }", "needs one of 'move_to:'")]
    [InlineData("after_load: { move_to: ../out }", "must be a folder inside connection 'bucket'")]
    public async Task Load_WrongPipelineKeys_SaysWhat(string keys, string problem)
    {
        folder.WriteProject(Project("{ type: s3, bucket: b }", "    " + keys));

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task Load_DeleteAfterLoad_OnALocalFolder()
    {
        folder.WriteProject("""
            connections:
              files: { type: files, path: data }
            pipelines:
              orders:
                source: files
                files: "*.csv"
                after_load: { delete: true }
            """);

        (await folder.LoadAsync()).Pipelines[0].AfterLoad.ShouldBe(new AfterLoadSettings { Delete = true });
    }

    [Fact]
    public async Task Load_SftpConnection_VerifiesHostKeysByDefault_AgainstKnownHosts()
    {
        folder.WriteProject("""
            connections:
              drop: { type: sftp, host: sftp.example, user: etl, private_key: keys/etl, path: /outgoing/ }
            pipelines:
              orders: { source: drop, files: "*.csv" }
            """);

        var sftp = (await folder.LoadAsync()).Connections[0].Sftp!;

        (sftp.Host, sftp.Port, sftp.User, sftp.RemotePath).ShouldBe(("sftp.example", 22, "etl", "/outgoing"));
        sftp.PrivateKey.ShouldBe(Path.Combine(folder.Path, "keys", "etl"));
        sftp.KnownHosts.ShouldBe(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts"));
        sftp.Describe().ShouldBe("sftp://etl@sftp.example:22/outgoing");
    }

    [Theory]
    [InlineData("{ type: sftp, host: h, user: u }", "needs 'password:' or 'private_key:'")]
    [InlineData("{ type: sftp, user: u, password: p }", "needs 'host:'")]
    [InlineData("{ type: sftp, host: h, user: u, password: p, host_key_fingerprint: abc }", "must be SHA256:")]
    public async Task Load_WrongSftpConnection_SaysWhat(string connection, string problem)
    {
        folder.WriteProject(Project(connection));

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task Load_WebDavConnection_KeepsTheFolderUrl_WithoutSecretsInItsName()
    {
        folder.WriteProject("""
            connections:
              share: { type: webdav, url: "https://dav.example/remote.php/dav/files/etl", user: etl, password: s3cret-Pw, tls: { insecure_skip_verify: true } }
            pipelines:
              orders: { source: share, files: "*.csv" }
            """);

        var connection = (await folder.LoadAsync()).Connections[0];

        connection.HoldsFiles.ShouldBeTrue();
        var dav = connection.WebDav!;
        (dav.Url.AbsoluteUri, dav.User, dav.Password, dav.Token, dav.SkipTlsVerify).ShouldBe(("https://dav.example/remote.php/dav/files/etl/", "etl", "s3cret-Pw", (string?)null, true));
        dav.ToString().ShouldBe("https://dav.example/remote.php/dav/files/etl/");
    }

    [Theory]
    [InlineData("{ type: webdav }", "needs 'url:'")]
    [InlineData("{ type: webdav, url: \"ftp://h/x\" }", "must be an http:// or https:// URL")]
    [InlineData("{ type: webdav, url: \"https://u:p@h/x\" }", "has a user in it")]
    [InlineData("{ type: webdav, url: \"https://h/x\", user: u }", "sets 'user' without 'password'")]
    [InlineData("{ type: webdav, url: \"https://h/x\", user: u, password: p, token: t }", "use one of them")]
    [InlineData("{ type: webdav, url: \"https://h/x\", tls: { ca_file: missing.pem } }", "does not exist")]
    public async Task Load_WrongWebDavConnection_SaysWhat(string connection, string problem)
    {
        folder.WriteProject(Project(connection));

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain(problem);
        error.Message.ShouldNotContain(":p@");
    }

    [Theory]
    [InlineData("{ type: ftp, host: ftp.example, user: etl, password: s3cret-Pw, path: /out/ }", "explicit", 21, null)]
    [InlineData("{ type: ftp, host: ftp.example, user: etl, password: s3cret-Pw, tls: implicit, path: /out }", "implicit", 990, null)]
    [InlineData("{ type: ftp, host: ftp.example, user: etl, password: s3cret-Pw, port: 2121, tls: none, path: /out }", "none", 2121, null)]
    [InlineData("{ type: ftp, host: ftp.example, user: etl, password: s3cret-Pw, tls: { mode: implicit, insecure_skip_verify: true }, path: /out }", "implicit", 990, true)]
    public async Task Load_FtpConnection_TakesTlsAndPort_WithoutSecretsInItsName(string connection, string tls, int port, bool? skipVerify)
    {
        folder.WriteProject(Project(connection));

        var ftp = (await folder.LoadAsync()).Connections[0].Ftp!;

        (ftp.Host, ftp.Port, ftp.User, ftp.Password, ftp.Tls.ToString().ToLowerInvariant(), ftp.RemotePath, ftp.SkipTlsVerify).ShouldBe(("ftp.example", port, "etl", "s3cret-Pw", tls, "/out", skipVerify ?? false));
        ftp.ToString().ShouldBe($"{(tls == "none" ? "ftp" : "ftps")}://etl@ftp.example:{port}/out");
    }

    [Fact]
    public async Task Load_FtpConnection_WithoutUser_IsAnonymous_FromTheLoginFolder()
    {
        folder.WriteProject(Project("{ type: ftp, host: ftp.example }"));

        var ftp = (await folder.LoadAsync()).Connections[0].Ftp!;

        (ftp.User, ftp.Password, ftp.RemotePath).ShouldBe(("anonymous", (string?)null, (string?)null));
    }

    [Theory]
    [InlineData("{ type: ftp }", "needs 'host:'")]
    [InlineData("{ type: ftp, host: h, password: p }", "sets 'password:' without 'user:'")]
    [InlineData("{ type: ftp, host: h, tls: ssl }", "is explicit (AUTH TLS, the default), implicit")]
    [InlineData("{ type: ftp, host: h, tls: { mode: explicit, ca_file: missing.pem } }", "does not exist")]
    [InlineData("{ type: ftp, host: h, tls: { mode: explicit, verify: false } }", "verify")]
    public async Task Load_WrongFtpConnection_SaysWhat(string connection, string problem)
    {
        folder.WriteProject(Project(connection));

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain(problem);
    }
}
