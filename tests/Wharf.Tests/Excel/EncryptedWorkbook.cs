using System.Security.Cryptography;
using System.Text;
using NPOI.POIFS.FileSystem;

namespace Wharf.Tests.Excel;

/// <summary>
/// A workbook as Excel saves it under "Encrypt with Password" (MS-OFFCRYPTO agile encryption): an OLE2
/// compound file holding an <c>EncryptionInfo</c> stream (version 4.4, the XML descriptor) and the
/// <c>EncryptedPackage</c>. The key material is random, so no password opens it: the reader must
/// recognise the container and refuse it, as it does a real one whose password it does not know.
/// </summary>
internal static class EncryptedWorkbook
{
    public static void Write(string path)
    {
        string Random(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));
        const string Cipher = "saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\"";
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n" +
            "<encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\" " +
            "xmlns:p=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\">" +
            $"<keyData {Cipher} saltValue=\"{Random(16)}\"/>" +
            $"<dataIntegrity encryptedHmacKey=\"{Random(64)}\" encryptedHmacValue=\"{Random(64)}\"/>" +
            "<keyEncryptors><keyEncryptor uri=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\">" +
            $"<p:encryptedKey spinCount=\"1000\" {Cipher} saltValue=\"{Random(16)}\" encryptedVerifierHashInput=\"{Random(16)}\" " +
            $"encryptedVerifierHashValue=\"{Random(64)}\" encryptedKeyValue=\"{Random(32)}\"/>" +
            "</keyEncryptor></keyEncryptors></encryption>";

        var info = new MemoryStream();
        info.Write([4, 0, 4, 0, 0x40, 0, 0, 0]);
        info.Write(Encoding.UTF8.GetBytes(xml));

        // The package: its size, then AES blocks (random here, as ciphertext looks).
        var package = new MemoryStream();
        package.Write(BitConverter.GetBytes(4096L));
        package.Write(RandomNumberGenerator.GetBytes(4096));

        var container = new POIFSFileSystem();
        container.CreateDocument(new MemoryStream(info.ToArray()), "EncryptionInfo");
        container.CreateDocument(new MemoryStream(package.ToArray()), "EncryptedPackage");
        using var file = File.Create(path);
        container.WriteFileSystem(file);
    }
}
