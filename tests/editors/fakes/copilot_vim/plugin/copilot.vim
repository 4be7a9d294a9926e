" Test double for copilot.vim's default Tab mapping.
imap <silent><script><nowait><expr> <Tab> empty(get(g:, 'copilot_no_tab_map')) ? copilot#Accept() : "\t"
