use sea_orm::entity::prelude::*;

/// A row of an import that was not applied, and why (for the error report).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_failures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: Uuid,
    /// The row's line in the file (the header is 1).
    #[sea_orm(primary_key, auto_increment = false)]
    pub row: i64,
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
