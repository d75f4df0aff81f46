using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// Every string column of the platform database marked <c>[ProtectedPersonalData]</c> (staff names and addresses,
/// second-factor secrets) is sealed by the host's <see cref="IPersonalDataProtector"/> (Identity's, over
/// <see cref="LookupProtection"/>): deterministic, so that a lookup by name compares sealed values.
/// </summary>
internal static class PersonalDataColumns
{
    public static void Seal(ModelBuilder model, IPersonalDataProtector? protector)
    {
        // No protector: a design-time model (migrations), whose columns are the same strings.
        if (protector is null)
        {
            return;
        }

        var converter = new ValueConverter<string?, string?>(v => protector.Protect(v), v => protector.Unprotect(v));
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.ClrType.GetProperties().Where(p => p.PropertyType == typeof(string) && p.IsDefined(typeof(ProtectedPersonalDataAttribute))))
            {
                model.Entity(entity.ClrType).Property(property.Name).HasConversion(converter);
            }
        }
    }

    /// <summary>The protector of the host that built <paramref name="context"/>, if it has one.</summary>
    public static IPersonalDataProtector? ProtectorOf(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IPersonalDataProtector>();

    /// <summary>
    /// The model captures the protector in its converters, and EF caches a model per context type in the process:
    /// key it by protector too, so that two hosts in one process (tests) never seal with each other's keys.
    /// </summary>
    public sealed class ModelCacheKeys : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), ProtectorOf(context), designTime);
    }
}
