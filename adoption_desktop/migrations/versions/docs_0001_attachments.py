"""letterbox documents: attachments, encrypted blobs, document keys, page text

The downgrade seals as deleted, in one audit entry (action ``seal_downgrade``), the rows of the tables it
drops (``core.audit.column_drops``), or ``verify`` reports each table as dropped outside the program.

Revision ID: docs_0001_attachments
Revises: audit_0001
Create Date: 2026-12-01 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'docs_0001_attachments'
down_revision = 'audit_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letterbox_document_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_document_keys'))
    )
    op.create_table('letterbox_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['letterbox_items.id'], name=op.f('fk_letterbox_attachments_item_id_letterbox_items')),
    sa.ForeignKeyConstraint(['parent_id'], ['letterbox_attachments.id'], name=op.f('fk_letterbox_attachments_parent_id_letterbox_attachments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_attachments'))
    )
    with op.batch_alter_table('letterbox_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letterbox_attachments_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letterbox_attachments_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_letterbox_attachments_sha256'), ['sha256'], unique=False)

    op.create_table('letterbox_attachment_blobs',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['letterbox_attachments.id'], name=op.f('fk_letterbox_attachment_blobs_attachment_id_letterbox_attachments')),
    sa.ForeignKeyConstraint(['key_id'], ['letterbox_document_keys.id'], name=op.f('fk_letterbox_attachment_blobs_key_id_letterbox_document_keys')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_letterbox_attachment_blobs'))
    )
    op.create_table('letterbox_attachment_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('page_no', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('low_confidence', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['letterbox_attachments.id'], name=op.f('fk_letterbox_attachment_pages_attachment_id_letterbox_attachments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letterbox_attachment_pages'))
    )
    with op.batch_alter_table('letterbox_attachment_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letterbox_attachment_pages_attachment_id'), ['attachment_id'], unique=False)


def downgrade() -> None:
    from adoption_desktop.core.audit.column_drops import before_drop

    conn = op.get_bind()
    dropping = before_drop(conn, revision, {}, tables=['letterbox_attachment_pages', 'letterbox_attachments'])
    with op.batch_alter_table('letterbox_attachment_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letterbox_attachment_pages_attachment_id'))
    op.drop_table('letterbox_attachment_pages')
    op.drop_table('letterbox_attachment_blobs')
    with op.batch_alter_table('letterbox_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letterbox_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_letterbox_attachments_kind'))
        batch_op.drop_index(batch_op.f('ix_letterbox_attachments_item_id'))
    op.drop_table('letterbox_attachments')
    op.drop_table('letterbox_document_keys')
    dropping.seal_again(conn, detail="lost: the documents attached to letterbox items")
