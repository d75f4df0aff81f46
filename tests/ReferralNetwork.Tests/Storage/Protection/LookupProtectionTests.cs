using System.Text;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Tests.Storage.Protection;

/// <summary>Staff accounts' personal data sealed for lookups: the same value seals the same way under one key, and only opens under it.</summary>
public sealed class LookupProtectionTests
{
    private const string Address = "officer.q7m2x9@th-focal-point.example";

    [Fact]
    public void A_value_seals_to_the_same_text_under_one_key_never_shows_in_it_and_opens_again()
    {
        var protection = new LookupProtection(new EnvelopeProtector(KeyRing.Create()));
        var key = protection.CurrentKeyId;

        var once = protection.Protect(key, Address)!;
        var twice = protection.Protect(key, Address)!;

        Assert.Equal(once, twice);
        Assert.NotEqual(once, protection.Protect(key, Address + "x"));
        Assert.DoesNotContain("q7m2x9", once, StringComparison.Ordinal);
        Assert.DoesNotContain("q7m2x9", Encoding.UTF8.GetString(Convert.FromBase64String(once)), StringComparison.Ordinal);
        Assert.Equal(Address, protection.Unprotect(key, once));
    }

    [Fact]
    public void After_a_rotation_old_values_still_open_new_ones_seal_differently_and_another_ring_or_an_altered_value_fails()
    {
        var envelopes = new EnvelopeProtector(KeyRing.Create());
        var protection = new LookupProtection(envelopes);
        var oldKey = protection.CurrentKeyId;
        var old = protection.Protect(oldKey, Address)!;

        envelopes.UseRing(envelopes.Ring.Rotate());

        Assert.NotEqual(oldKey, protection.CurrentKeyId);
        Assert.Contains(oldKey, protection.GetAllKeyIds());
        Assert.Equal(Address, protection.Unprotect(oldKey, old));
        Assert.NotEqual(old, protection.Protect(protection.CurrentKeyId, Address));

        var stranger = new LookupProtection(new EnvelopeProtector(KeyRing.Create()));
        Assert.Throws<MissingKeyException>(() => stranger.Unprotect(oldKey, old));
        var altered = Convert.FromBase64String(old);
        altered[^1] ^= 1;
        Assert.Throws<SealBrokenException>(() => protection.Unprotect(oldKey, Convert.ToBase64String(altered)));
    }
}
