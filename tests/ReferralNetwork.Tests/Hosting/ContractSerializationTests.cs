using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Tests.Hosting;

public sealed class ContractSerializationTests
{
    private static readonly ReferralIdentified Event = new(
        Guid.NewGuid(), 1, DateTimeOffset.UtcNow, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point",
        "TH", "VN", Sex.Female, AgeBand.From18To24, [ExploitationForm.ForcedCriminality], DateTimeOffset.UtcNow.AddHours(-3));

    [Fact]
    public void Contract_types_cross_silos_as_json_and_are_not_copied_within_one()
    {
        using var services = new ServiceCollection().AddContractSerialization().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var copier = services.GetRequiredService<DeepCopier>();

        var roundTripped = serializer.Deserialize<object>(serializer.SerializeToArray<object>(Event));
        var copied = copier.Copy<object>(Event);

        Assert.Equivalent(Event, roundTripped, strict: true);
        Assert.NotSame(Event, roundTripped);
        Assert.Same(Event, copied);
    }
}
