"""Agency Decision Maker: decision queue, clocks, sign-off, qualifying determinations, letters."""
