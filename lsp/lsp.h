/* The language server (`dockwright lsp`): JSON-RPC over stdio, the document
 * store and one file per LSP feature. This header is the only part of lsp/
 * that cli/ may include. */
#ifndef DW_LSP_LSP_H
#define DW_LSP_LSP_H

#endif
