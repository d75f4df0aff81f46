using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReferralNetwork.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ProjectionMarkersAndReferralIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_ProcessedEvents",
                table: "ProcessedEvents");

            migrationBuilder.AddColumn<string>(
                name: "Projection",
                table: "ProcessedEvents",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                // Every marker before this migration was the referral list's, the only projection then.
                defaultValue: "referral-list");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ProcessedEvents",
                table: "ProcessedEvents",
                columns: new[] { "Projection", "ReferralId", "Number" });

            migrationBuilder.CreateTable(
                name: "ReferralIndex",
                columns: table => new
                {
                    ReferralId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    PublishedThrough = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralIndex", x => x.ReferralId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralIndex_Unpublished",
                table: "ReferralIndex",
                column: "ReferralId",
                filter: "\"PublishedThrough\" < \"Version\"");

            // The referrals of a database made before the index: as far as the list shows them, their events
            // were published. A referral the list never showed enters the index when its grain next activates.
            migrationBuilder.Sql("INSERT INTO \"ReferralIndex\" (\"ReferralId\", \"Version\", \"PublishedThrough\") SELECT \"Id\", \"Version\", \"Version\" FROM \"ReferralList\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReferralIndex");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ProcessedEvents",
                table: "ProcessedEvents");

            migrationBuilder.DropColumn(
                name: "Projection",
                table: "ProcessedEvents");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ProcessedEvents",
                table: "ProcessedEvents",
                columns: new[] { "ReferralId", "Number" });
        }
    }
}
