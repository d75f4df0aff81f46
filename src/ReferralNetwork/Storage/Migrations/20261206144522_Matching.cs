using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ReferralNetwork.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Matching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MatchAudit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OrganizationId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Person = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchAudit", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MatchEncodings",
                columns: table => new
                {
                    ReferralId = table.Column<Guid>(type: "uuid", nullable: false),
                    Country = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    KeyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Scheme = table.Column<int>(type: "integer", nullable: false),
                    Bits = table.Column<byte[]>(type: "bytea", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchEncodings", x => x.ReferralId);
                });

            migrationBuilder.CreateTable(
                name: "PossibleMatches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReferralA = table.Column<Guid>(type: "uuid", nullable: false),
                    ReferralB = table.Column<Guid>(type: "uuid", nullable: false),
                    CountryA = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CountryB = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Similarity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StatusA = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StatusB = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FoundAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LinkedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PossibleMatches", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MatchAudit_MatchId",
                table: "MatchAudit",
                column: "MatchId");

            migrationBuilder.CreateIndex(
                name: "IX_PossibleMatches_ReferralA_ReferralB",
                table: "PossibleMatches",
                columns: new[] { "ReferralA", "ReferralB" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PossibleMatches_ReferralB",
                table: "PossibleMatches",
                column: "ReferralB");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MatchAudit");

            migrationBuilder.DropTable(
                name: "MatchEncodings");

            migrationBuilder.DropTable(
                name: "PossibleMatches");
        }
    }
}
