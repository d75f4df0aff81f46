using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Identity;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// The ASP.NET Core Data Protection keys (which protect session cookies and antiforgery tokens) are kept in the
/// platform database; each key's XML is sealed there under the platform's own ring, so a copy of the database
/// cannot forge a session. Sealing goes through <see cref="LookupProtection"/> (one key id per element, so old
/// elements still open after a rotation of the ring).
/// </summary>
public static class SealedKeyXml
{
    private static readonly XName Sealed = "sealedKey";
    private static readonly XName KeyId = "keyId";

    public sealed class Encryptor(IServiceProvider services) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement)
        {
            var protector = services.GetRequiredService<ILookupProtector>();
            var ring = services.GetRequiredService<ILookupProtectorKeyRing>();
            var keyId = ring.CurrentKeyId;
            var element = new XElement(Sealed, new XAttribute(KeyId, keyId), protector.Protect(keyId, plaintextElement.ToString(SaveOptions.DisableFormatting)));
            return new EncryptedXmlInfo(element, typeof(Decryptor));
        }
    }

    /// <summary>Created by Data Protection's activator, which hands it the host's services.</summary>
    public sealed class Decryptor(IServiceProvider services) : IXmlDecryptor
    {
        public XElement Decrypt(XElement encryptedElement)
        {
            var keyId = (string?)encryptedElement.Attribute(KeyId) ?? throw new SealBrokenException("A sealed Data Protection key names no key of the ring.");
            var xml = services.GetRequiredService<ILookupProtector>().Unprotect(keyId, encryptedElement.Value)
                ?? throw new SealBrokenException("A sealed Data Protection key is empty.");
            return XElement.Parse(xml);
        }
    }
}
